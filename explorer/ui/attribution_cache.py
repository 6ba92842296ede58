"""Cached attribution maps for the Saliency and Occlusion pages (per model id, input, settings)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.inspect import attribution, inspection, pixel_model
from explorer.ui import model_cache


@st.cache_data(max_entries=128, show_spinner=False)
def attribution_map(model_id: str, randomised: bool, input_key: str, _array: np.ndarray, target: int,
                    method: str, layer: str | None = None, params: tuple = ()) -> np.ndarray:
    """(H, W) map of `method` for the saved model (or its randomised copy) on one input.
    params: sorted (name, value) pairs passed to attribution.attribute."""
    model = (model_cache.randomised_model(model_id) if randomised
             else model_cache.load_model(model_id)[0])
    module = inspection.module(model, layer) if layer else None
    x = pixel_model.batch(_array)
    sized = {**attribution.memory_params(method, model_cache.batch_size(model_id)), **dict(params)}
    with model_cache.lock(model_id):
        return attribution.attribute(model, x, target, method, layer=module, **sized)
