"""Attribution maps for the Saliency, Occlusion, Faithfulness and Fooling pages (per model, input,
method and settings), computed once for the whole class: cached.shared_results."""

from __future__ import annotations

import numpy as np

from explorer.inspect import attribution, inspection, pixel_model
from explorer.ui import cached, model_cache


def attribution_map(model_id: str, randomised: bool, input_key: str, array: np.ndarray, target: int,
                    method: str, layer: str | None = None, params: tuple = ()) -> np.ndarray:
    """(H, W) map (read-only) of `method` for the saved model (or its randomised copy) on one
    input (array (C, H, W), named by input_key). params: sorted (name, value) pairs passed to
    attribution.attribute."""

    def compute() -> np.ndarray:
        model = (model_cache.randomised_model(model_id) if randomised
                 else model_cache.load_model(model_id)[0])
        module = inspection.module(model, layer) if layer else None
        sized = {**attribution.memory_params(method, model_cache.batch_size(model_id)), **dict(params)}
        with model_cache.lock(model_id):
            return attribution.attribute(model, pixel_model.batch(array), target, method, layer=module, **sized)

    key = (model_cache.version(model_id), "attribution", randomised, input_key, int(target), method, layer,
           tuple(params))
    return cached.shared_results().get(key, compute)
