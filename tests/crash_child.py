"""The process that tests/test_crash_safety.py kills: it runs the app's real save path and, at
a chosen moment inside the write, prints "AT <point>" and waits to be killed (SIGKILL).

The moment is found with a profiling hook (sys.setprofile) that watches the real code run; no
function of the app is replaced. Points:
  registry:weights   registry.save has written weights.safetensors, not yet meta.json
  registry:rename    every file of the model is written, the folder not yet renamed
  cache:mid          np.savez has written the pixels into the cache, not the labels
  cache:rename       the cache file is complete under its temporary name, not yet renamed

    python -m tests.crash_child POINT ARCHIVE     (CNN_EXPLORER_DATA names the data folder)
"""

from __future__ import annotations

import os
import sys
import time


def stop_here(point: str) -> None:
    sys.setprofile(None)
    print(f"AT {point}", flush=True)
    time.sleep(600)  # the parent kills us long before


def hook_for(point: str):
    seen = {"write_array": 0}

    def hook(frame, event, arg):
        name = frame.f_code.co_name
        if point == "registry:weights" and event == "return" and name == "save_file" \
                and frame.f_back and frame.f_back.f_code.co_name == "save":
            stop_here(point)
        elif point in ("registry:rename", "cache:rename") and event == "c_call" \
                and getattr(arg, "__name__", "") == "replace" and name in ("save", "_write_cache"):
            stop_here(point)
        elif point == "cache:mid" and event == "call" and name == "write_array":
            seen["write_array"] += 1
            if seen["write_array"] == 2:  # the pixels are in the file, the labels are next
                stop_here(point)
    return hook


def main(point: str, archive: str) -> None:
    from pathlib import Path

    if point.startswith("registry"):
        import torch

        from explorer.saved import registry

        model, card = small_model()
        sys.setprofile(hook_for(point))
        registry.save(model, card, filters=torch.zeros(2, 4, 1, 3, 3).numpy())
    else:
        from explorer.data import signdigits

        sys.setprofile(hook_for(point))
        signdigits.load_processed(Path(archive))
    sys.setprofile(None)
    print("FINISHED", flush=True)  # the hook never fired: the test fails on this


def small_model():
    import torch

    from explorer.models import builder, from_spec
    from explorer.saved.model_card import ModelCard

    layers = [{"type": "conv", "channels": 4, "kernel": 3, "padding": 1}, {"type": "relu"},
              {"type": "maxpool", "size": 2}, {"type": "dense", "units": 10}]
    spec = builder.spec(layers, [1, 8, 8], 10)
    torch.manual_seed(0)
    card = ModelCard.from_json({
        "name": f"half saved {os.getpid()}", "architecture": "custom", "spec": spec,
        "dataset": "digits", "classes": [str(i) for i in range(10)], "input_size": [1, 8, 8],
        "normalisation": {"mean": [0.3], "std": [0.4]}})
    return from_spec.build(spec), card


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")
