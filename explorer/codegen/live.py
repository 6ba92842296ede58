"""The live camera as a script: one camera frame read exactly as the live view reads it
(explorer/inspect/live.py, `LiveReader` and `draw`): the frame's centred square brought to the
model's input (grey or RGB, Lanczos), softmax, Captum's Grad-CAM (last convolution, upsampled
bilinearly) or gradient saliency of the top class, the positive part normalised as Captum's
visualiser does (2% outliers clipped), and the map drawn over the square with its label.

The frame is a picture file: the live view offers its last frame as a PNG next to the panel.
An optional last cell reads a folder of frames (a video's, exported by any tool): the script
needs no camera and no library beyond the other scripts' (no video decoder).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from explorer.codegen import saved_model
from explorer.codegen.script import CELL, Script, join, literal
from explorer.percent import percent

FRAME = "live_frame.png"
OVERLAY = "live_overlay.png"
TITLES = {"grad_cam": "Grad-CAM", "saliency": "gradient saliency"}

CALLS = {
    "grad_cam": '''    layer = [m for m in net.modules() if isinstance(m, nn.Conv2d)][-1]  # the last convolution
    cam = LayerGradCam(model, layer).attribute(x, target=target, relu_attributions=True)
    a = LayerAttribution.interpolate(cam, tuple(x.shape[-2:]), interpolate_mode="bilinear")''',
    "saliency": "    a = Saliency(model).attribute(x, target=target, abs=True)",
}
CAPTUM = {"grad_cam": "LayerAttribution, LayerGradCam", "saliency": "Saliency"}


@dataclass(frozen=True)
class LiveSettings:
    """The saved model, the map (a key of CALLS) and the overlay's opacity in [0, 1]."""

    model: saved_model.SavedModel
    method: str
    opacity: float


READ = '''def read(rgb):
    """(H, W, 3) uint8 frame -> class probabilities (K,), the (h, w) map in [0, 1] at the
    model's input size, and (left, top, side) of the square the model read."""
    frame = Image.fromarray(rgb)
    side = min(frame.size)  # the centred square: the dataset's photos are square
    left, top = (frame.size[0] - side) // 2, (frame.size[1] - side) // 2
    img = frame.crop((left, top, left + side, top + side)).convert({mode})
    if img.size != ({w}, {h}):
        img = img.resize(({w}, {h}), Image.Resampling.LANCZOS)  # as the training pictures were
    arr = np.asarray(img, dtype=np.float32) / 255.0
    x = torch.from_numpy(arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1).copy())[None]
    with torch.no_grad():
        probs = F.softmax(model(x), dim=1)[0].numpy()
    target = int(probs.argmax())
    x.requires_grad_(True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Captum's note about backward hooks on ReLU
{call}
    heat = normalise(a.detach()[0].sum(0).numpy())
    return probs, heat, (left, top, side)'''

NORMALISE = '''def normalise(a, outlier_perc=2.0):
    """The positive part of a map scaled to [0, 1] as Captum's visualize_image_attr does: the
    scale is where the sorted values reach (100 - outlier_perc) % of their sum."""
    a = np.maximum(np.asarray(a, np.float64), 0)
    ordered = np.sort(a.ravel())
    sums = np.cumsum(ordered)
    if sums.size == 0 or sums[-1] <= 0:
        return np.zeros(a.shape, np.float32)
    t = ordered[np.argmax(sums >= sums[-1] * 0.01 * (100.0 - outlier_perc))]
    return np.clip(a / t, -1, 1).astype(np.float32)'''

DRAW = '''# White (0) to red (1), the app's colours for a map.
RED, WHITE = np.array([178, 24, 43], np.float32), np.array([255, 255, 255], np.float32)
BOX = (255, 200, 0)  # the yellow square the model reads


def draw(rgb, probs, heat, square, opacity=OPACITY):
    """The frame with the map over the square the model read (each pixel `opacity` x its map
    value colour), the square's outline and the predicted sign with its probability."""
    left, top, side = square
    frame = Image.fromarray(rgb)
    crop = frame.crop((left, top, left + side, top + side))
    steps = np.clip(heat * 127.0 + 127.5, 0, 254).astype(np.uint8) - 127  # 0..127
    t = np.linspace(-1.0, 1.0, 255, dtype=np.float32)[127:, None]  # the app's table from 0 to 1
    colours = (WHITE + (RED - WHITE) * t + 0.5).astype(np.uint8)
    colour = Image.fromarray(colours[steps]).resize((side, side), Image.Resampling.BILINEAR)
    alpha = np.clip(heat * (255 * float(np.clip(opacity, 0, 1))), 0, 255).astype(np.uint8)
    mask = Image.fromarray(alpha).resize((side, side), Image.Resampling.BILINEAR)
    frame.paste(Image.composite(colour, crop, mask), (left, top))
    pen = ImageDraw.Draw(frame)
    pen.rectangle((left, top, left + side - 1, top + side - 1), outline=BOX, width=max(2, side // 120))
    size = max(12, side // 10)
    top_class = int(probs.argmax())
    pen.text((left + size // 3, top + size // 4), f"{classes[top_class]}  {percent(probs[top_class])}", fill=BOX,
             font=ImageFont.load_default(size), stroke_width=max(1, size // 12), stroke_fill=(0, 0, 0))
    return np.asarray(frame)'''

ONE_FRAME = f'''# The live view's last frame (its "Last camera frame (.png)" button), or any photo.
FRAME = "{FRAME}"
rgb = np.asarray(Image.open(FRAME, formats=["PNG", "JPEG"]).convert("RGB"))
probs, heat, square = read(rgb)
print("prediction:", classes[int(probs.argmax())], "probabilities:", [round(float(p), 4) for p in probs])
print(f"map: shape {{heat.shape}} sum {{float(heat.sum()):.6g}} max {{float(heat.max()):.6g}}")
Image.fromarray(draw(rgb, probs, heat, square)).save("{OVERLAY}")
print("overlay written to {OVERLAY}")'''

FRAMES = '''# Many frames: a folder of PNG or JPEG pictures, e.g. a video's frames exported by any video
# tool. The live view does the same with each frame the browser sends, dropping frames while busy.
FRAMES = None  # e.g. "my_signs_frames"
if FRAMES:
    for path in sorted(Path(FRAMES).glob("*.[pj][np]g")):
        probs, heat, square = read(np.asarray(Image.open(path, formats=["PNG", "JPEG"]).convert("RGB")))
        print(f"{path.name}: {classes[int(probs.argmax())]} ({percent(probs.max())})")'''


def script(s: LiveSettings) -> Script:
    """The script for the live view with these settings."""
    if s.method not in CALLS:
        raise ValueError(f"method must be one of {', '.join(CALLS)}")
    c, h, w = s.model.input_size
    read = READ.format(mode='"L"' if c == 1 else '"RGB"', w=w, h=h, call=CALLS[s.method])
    imports = saved_model.IMPORTS.replace("import copy\n", "").replace(  # isort's order: captum before PIL
        "from PIL import Image, ImageOps", f"from captum.attr import {CAPTUM[s.method]}\nfrom PIL import Image, ImageDraw, ImageFont")
    text = join(
        f'"""CNN Explorer, live camera: what the saved model reads in one camera frame, with its '
        f'{TITLES[s.method]} map, with Captum."""',
        CELL,
        imports,
        CELL + " The saved model: its card (meta.json) and weights (safetensors), no pickle",
        saved_model.load_block(s.model),
        CELL + " Reading a frame as the live view does",
        f"OPACITY = {literal(float(s.opacity))}  # the map's opacity on the video",
        NORMALISE,
        read,
        inspect.getsource(percent).strip(),  # the probability as the video writes it
        DRAW,
        CELL + " One frame: the prediction, the map, the overlay",
        ONE_FRAME,
        CELL + " Optional: many frames",
        FRAMES,
    )
    return Script("The live camera, one frame", text, f"live_{s.method}")
