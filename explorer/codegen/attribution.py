"""The Saliency and Occlusion pages as a script: the saved model rebuilt from its folder
(explorer/codegen/saved_model.py), the same picture, the same Captum calls. Each method's
(1, C, H, W) result becomes one (H, W) map: the sum over channels (the mean for occlusion), as
on the page (explorer/inspect/attribution.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.codegen import picture, saved_model
from explorer.codegen.script import CELL, Script, join, literal

# The Captum call of each method, with the app's defaults (explorer/inspect/attribution.py);
# {p} is filled with the page's settings.
CALLS = {
    "saliency": "Saliency(model).attribute(x, target=target, abs=True)",
    "integrated_gradients": "IntegratedGradients(model).attribute(x, target=target, baselines=0.0, n_steps={n_steps})",
    "smoothgrad": ('NoiseTunnel(Saliency(model)).attribute(x, nt_type="smoothgrad", target=target, '
                   "nt_samples={nt_samples}, stdevs={stdevs}, abs=True)"),
    "guided_backprop": "GuidedBackprop(model).attribute(x, target=target)",
    "grad_cam": ('LayerAttribution.interpolate(LayerGradCam(model, layer).attribute(x, target=target, '
                 'relu_attributions=True), tuple(x.shape[-2:]), interpolate_mode="bilinear")'),
    "guided_grad_cam": 'GuidedGradCam(model, layer).attribute(x, target=target, interpolate_mode="nearest")',
    "occlusion": ("Occlusion(Probabilities(model)).attribute(x, sliding_window_shapes=(x.shape[1], {window}, {window}), "
                  "strides=(x.shape[1], {stride}, {stride}), baselines={baseline}, target=target)"),
}
DEFAULTS = {"n_steps": 50, "nt_samples": 20, "stdevs": 0.15, "window": 8, "stride": 4, "baseline": 0.0}
CAPTUM = {"saliency": "Saliency", "integrated_gradients": "IntegratedGradients", "smoothgrad": "NoiseTunnel",
          "guided_backprop": "GuidedBackprop", "grad_cam": "LayerAttribution, LayerGradCam",
          "guided_grad_cam": "GuidedGradCam", "occlusion": "Occlusion"}


@dataclass(frozen=True)
class AttributionSettings:
    """The saved model, the picture, the class and each method's settings.

    methods: (method, ((param, value), ...)) pairs in page order; layer: Grad-CAM's layer name."""

    model: saved_model.SavedModel
    source: picture.Source
    target: int
    target_name: str
    methods: tuple[tuple[str, tuple], ...]
    layer: str | None = None
    randomised: bool = False


SPEARMAN = '''def spearman(a, b):
    """Rank correlation of |a| and |b| (ties share their mean rank); 0 for a constant map."""
    def ranks(v):
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(len(v))
        _, group, counts = np.unique(v, return_inverse=True, return_counts=True)
        return (np.bincount(group, weights=r) / counts)[group]

    x, y = np.abs(a.numpy().ravel()), np.abs(b.numpy().ravel())
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0
    return float(np.corrcoef(ranks(x), ranks(y))[0, 1])'''


def script(s: AttributionSettings) -> Script:
    """Occlusion: its map. Saliency: every method's map, then the sanity check (the same maps
    for a copy of the model with random weights, and their rank correlation with the trained)."""
    used = [m for m, _ in s.methods]
    occlusion = used == ["occlusion"]
    names = sorted({n for m in used for n in CAPTUM[m].split(", ")})
    calls = []
    for m, params in s.methods:
        values = {**DEFAULTS, **dict(params)}
        calls.append(f'            "{m}": {CALLS[m].format(**{k: literal(v) for k, v in values.items()})},')
    reduce_ = "a[0].mean(0)" if occlusion else "a[0].sum(0)"
    explain = f"""def explain(model, net):
    \"\"\"Each method's (H, W) map of class `target` for the picture x.\"\"\"
    x = torch.from_numpy(np.array(pixels, np.float32))[None]{"" if occlusion else ".requires_grad_(True)"}
""" + (f'    layer = net.get_submodule("{s.layer}")  # Grad-CAM\'s layer\n' if s.layer else "") + (
        "    torch.manual_seed(0)  # SmoothGrad's noise from seed 0, as on the page: the same map\n"
        if "smoothgrad" in used else "") + f"""    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Captum's note about backward hooks on ReLU
        results = {{
{chr(10).join(calls)}
        }}
    return {{name: ({reduce_}).detach() for name, a in results.items()}}


target = {s.target}  # the class explained: "{s.target_name}"
maps = explain(model, net)
for name, m in maps.items():
    print(f"{{name}}: shape {{tuple(m.shape)}} sum {{float(m.sum()):.6g}} max {{float(m.max()):.6g}}")"""
    sanity = "" if occlusion else f"""{SPEARMAN}


# A copy of the network with every layer re-initialised (PyTorch's default), seed 0.
random_net = copy.deepcopy(net)
torch.manual_seed(0)
for module in random_net.modules():
    if hasattr(module, "reset_parameters") and module is not random_net:
        module.reset_parameters()
random_model = Pixels(random_net, card["normalisation"]["mean"], card["normalisation"]["std"]).eval()
random_maps = explain(random_model, random_net)
for name in maps:
    print(f"similarity {{name}}: {{spearman(maps[name], random_maps[name]):.2f}}")"""
    text = join(
        f'"""CNN Explorer, {"Occlusion" if occlusion else "Saliency"}: why the saved model '
        f'says "{s.target_name}", with Captum."""',
        CELL,
        saved_model.IMPORTS + f"\nfrom captum.attr import {', '.join(names)}",
        CELL + " The saved model: its card (meta.json) and weights (safetensors), no pickle",
        saved_model.load_block(s.model, s.randomised),
        CELL + " The picture: float32 (C, H, W) in [0, 1], as the model sees it",
        saved_model.picture_block(s.model, s.source),
        CELL + " The prediction",
        saved_model.PREDICTION,
        CELL + " The explanations",
        explain,
        (CELL + " The sanity check: the same maps for the model with random weights\n" + sanity) if sanity else "",
    )
    return Script("These explanations", text, "explanations")
