"""The Filters & feature maps and Maximal activations pages as scripts: the saved model
(explorer/codegen/saved_model.py) with forward hooks on its layers, as explorer/inspect/
inspection.py reads them."""

from __future__ import annotations

from explorer.codegen import picture, saved_model
from explorer.codegen.script import CELL, Script, join


def feature_maps(m: saved_model.SavedModel, src: picture.Source, layers: tuple[str, ...], filters_layer: str) -> Script:
    """Every listed layer's feature maps for one picture, and one convolution's filters."""
    text = join(
        '"""CNN Explorer, Filters & feature maps: a saved model\'s filters and what every layer makes '
        'of one picture."""',
        CELL,
        saved_model.IMPORTS,
        CELL + " The saved model: its card (meta.json) and weights (safetensors), no pickle",
        saved_model.load_block(m),
        CELL + " The filters of one convolution: (out, in, kh, kw)",
        f"""weights = net.get_submodule("{filters_layer}").weight.detach()
print("filters {filters_layer}:", tuple(weights.shape), "sum", f"{{float(weights.sum()):.6g}}")""",
        CELL + " The picture: float32 (C, H, W) in [0, 1], as the model sees it",
        saved_model.picture_block(m, src),
        CELL + " The prediction",
        saved_model.PREDICTION,
        CELL + " Feature maps: a forward hook on each layer keeps its output",
        f"""LAYERS = {list(layers)!r}
maps = {{}}
hooks = [net.get_submodule(name).register_forward_hook(
    lambda mod, args, out, name=name: maps.__setitem__(name, out.detach()[0])) for name in LAYERS]
try:
    with torch.no_grad():
        model(x)
finally:
    for h in hooks:
        h.remove()  # a model should not keep hooks
for name in LAYERS:
    fm = maps[name]  # (C, h, w): one map per channel
    print(f"layer {{name}}: shape {{tuple(fm.shape)}} sum {{float(fm.sum()):.6g}} max {{float(fm.max()):.6g}}")""",
    )
    return Script("These filters and feature maps", text, "feature_maps")


def top_activations(m: saved_model.SavedModel, layer: str, k: int, channel: int) -> Script:
    """For one layer, the k dataset pictures where each channel's strongest position is highest."""
    text = join(
        f'"""CNN Explorer, Maximal activations: the {k} pictures of the dataset that excite each '
        f'channel of layer {layer} the most."""',
        CELL,
        saved_model.IMPORTS,
        CELL + " The saved model: its card (meta.json) and weights (safetensors), no pickle",
        saved_model.load_block(m),
        CELL + " Every picture of the dataset the model was trained on",
        saved_model.dataset_block(m),
        CELL + " One pass over the dataset: each channel's strongest position in every picture",
        f"""LAYER, K, CHANNEL = "{layer}", {k}, {channel}
store = {{}}
hook = net.get_submodule(LAYER).register_forward_hook(lambda mod, args, out: store.__setitem__("out", out.detach()))
peaks = []
try:
    with torch.no_grad():
        for lo in range(0, len(images), 512):
            model(torch.from_numpy(images[lo:lo + 512]))
            peaks.append(store["out"].flatten(2).max(dim=2).values)  # (batch, channels)
finally:
    hook.remove()
peaks = torch.cat(peaks)  # (pictures, channels)
values, index = peaks.T.topk(K, dim=1)  # per channel, the K highest peaks, highest first
print(f"channel {{CHANNEL}} top pictures:", index[CHANNEL].tolist())
print(f"channel {{CHANNEL}} top values:", [round(float(v), 4) for v in values[CHANNEL]])
print("best picture per channel:", index[:, 0].tolist())""",
    )
    return Script("These maximal activations", text, "max_activations")
