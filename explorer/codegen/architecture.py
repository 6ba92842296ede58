"""An architecture as PyTorch code, and the Architectures page's summary as a script.

`module_code(model)` writes the network as nested nn.Sequential of torch's own layers, so that
the rebuilt model has the same layer names, parameter names and shapes (a saved model's
safetensors file loads into it). Networks with branches (ResNet, Inception) or layers of the
app's own (LeNet-5's) are not a stack of torch layers: None, and the panel says so.
"""

from __future__ import annotations

from torch import nn

from explorer.codegen.script import CELL, Script, join

# Leaf layers whose repr is also the code that builds them (checked for every architecture in
# tests/test_codegen.py by rebuilding from the text).
LEAVES = (nn.Conv2d, nn.Linear, nn.ReLU, nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d,
          nn.Flatten, nn.Dropout, nn.BatchNorm2d, nn.LocalResponseNorm, nn.Tanh, nn.Sigmoid)


def module_code(model: nn.Module, indent: int = 0) -> str | None:
    """`nn.Sequential(...)` text rebuilding `model` layer for layer, or None when it is not a
    (nested) Sequential of LEAVES."""
    pad = " " * indent
    if type(model) in LEAVES:
        if isinstance(model, nn.Conv2d) and (isinstance(model.padding, str) or model.padding_mode != "zeros"):
            return None  # repr would print padding=same without quotes
        return pad + "nn." + repr(model)
    if type(model) is not nn.Sequential:
        return None
    names = [name for name, _ in model.named_children()]
    if names != [str(i) for i in range(len(names))]:
        return None
    inner = [module_code(child, indent + 4) for child in model.children()]
    if any(c is None for c in inner):
        return None
    return pad + "nn.Sequential(\n" + "".join(c + ",\n" for c in inner) + pad + ")"


def script(model: nn.Module, title: str, input_shape: tuple[int, int, int]) -> Script | None:
    """A script printing every layer's output shape and parameters and the totals for one
    (C, H, W) input, as the page's table; None when module_code cannot write the network."""
    code = module_code(model)
    if code is None:
        return None
    c, h, w = input_shape
    text = join(
        f'"""CNN Explorer, Architectures: {title} for a {c}x{h}x{w} input, layer by layer."""',
        CELL,
        """import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode""",
        CELL + " The network",
        "# Built on the 'meta' device: shapes only, no memory and no arithmetic.\n"
        f'with torch.device("meta"):\n    model = {code.replace(chr(10), chr(10) + "    ")}',
        CELL + " Every layer's output shape and parameters",
        f"""rows = []
for name, layer in model.named_modules():
    if name and not list(layer.children()):
        layer.register_forward_hook(lambda m, a, out, name=name: rows.append(
            (name, type(m).__name__, tuple(out.shape[1:]), sum(p.numel() for p in m.parameters()))))
model.eval()
counter = FlopCounterMode(display=False)
with torch.no_grad(), counter:
    y = model(torch.empty(1, {c}, {h}, {w}, device="meta"))
for name, kind, shape, params in rows:
    print(f"{{name:>8}}  {{kind:<18}} {{' x '.join(map(str, shape)):>16}}  {{params:>12,}}")
print("output shape:", tuple(y.shape[1:]))
print("parameters:", sum(p.numel() for p in model.parameters()))
print("MACs:", counter.get_total_flops() // 2)  # 1 multiply-accumulate = 2 FLOPs""",
    )
    return Script(f"{title}, layer by layer", text, "architecture")
