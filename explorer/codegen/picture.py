"""Where a picture comes from, and the lines of script that rebuild it exactly.

Learn pages name their picture by a key (explorer/ui/image_source.py: "sample:<name>:<channels>:
<max side>", "upload:<id>:<channels>:<max side>", "dataset:<name>:<index>:<channels>"); Inspect
pages by "test:<index>", "upload:<id>" or "upload:<id>:camera" (a webcam still, explorer/ui/input_picker.py). `source_of` reads them;
the code blocks rebuild `x`, float32 (C, H, W) in [0, 1], as the app does (explorer.data).
"""

from __future__ import annotations

from dataclasses import dataclass

DRAWN = ("shapes", "stripes", "checkerboard", "text", "gradient")  # saved in assets/samples/
SIGN_DIGITS_ZIP = "sign-language-digits-master.zip"
PHOTO = "my_photo.jpg"


@dataclass(frozen=True)
class Source:
    """kind: "sample", "upload", "dataset" or "test"; name: sample or dataset name;
    index: dataset/test index; channels: 1 or 3 (None: the model's); max_side: Learn pages'
    downscaling (None: none)."""

    kind: str
    name: str = ""
    index: int = 0
    channels: int | None = None
    max_side: int | None = None


def source_of(key: str) -> Source:
    """The Source a picture key describes (ValueError for a key no page makes)."""
    parts = key.split(":")
    kind = parts[0]
    if kind == "sample" and len(parts) == 4:
        return Source("sample", parts[1], channels=int(parts[2]), max_side=int(parts[3]))
    if kind == "upload" and len(parts) == 4:
        return Source("upload", channels=int(parts[2]), max_side=int(parts[3]))
    if kind == "upload" and len(parts) == 2:
        return Source("upload")
    if kind == "upload" and len(parts) == 3 and parts[2] == "camera":
        return Source("upload", "camera")  # cropped to its centred square first
    if kind == "dataset" and len(parts) == 4:
        return Source("dataset", parts[1], index=int(parts[2]), channels=int(parts[3]))
    if kind == "test" and len(parts) == 2:
        return Source("test", index=int(parts[1]))
    raise ValueError(f"not a picture key: {key!r}")


def imports(src: Source, more: tuple[str, ...] = ("import torch", "import torch.nn.functional as F")) -> str:
    """The import block of a Learn script: stdlib, then numpy and `more`, then PIL (isort's order)."""
    first = ["from pathlib import Path", ""] if src.kind == "sample" and src.name in DRAWN else []
    pil = {"sample": "from PIL import Image", "upload": "from PIL import Image, ImageOps",
           "dataset": "from PIL import Image, ImageOps" if src.name == "sign-digits" else ""}.get(src.kind, "")
    return "\n".join(first + ["import numpy as np", *more] + ([pil] if pil else []))


def _fit(max_side: int | None) -> str:
    if max_side is None:
        return ""
    return f"""
# The app scales big pictures down to at most {max_side} pixels a side (keeping the shape).
w, h = img.size
if max(w, h) > {max_side}:
    f = {max_side} / max(w, h)
    img = img.resize((max(1, round(w * f)), max(1, round(h * f))), Image.Resampling.LANCZOS)"""


def _to_array(channels: int) -> str:
    if channels == 1:
        return 'x = (np.asarray(img.convert("L"), dtype=np.float32) / 255.0)[None]  # (1, H, W) in [0, 1]'
    return ('x = (np.asarray(img.convert("RGB"), dtype=np.float32) / 255.0).transpose(2, 0, 1).copy()'
            "  # (3, H, W) in [0, 1]")


OPEN_PHOTO = f'''# Your own photo: put its file name here (the app never keeps uploads, so it cannot fill it in).
PHOTO = "{PHOTO}"
img = ImageOps.exif_transpose(Image.open(PHOTO, formats=["PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF"]))  # upright
if img.mode in ("RGBA", "LA", "P"):  # transparency: flattened on white, as the app does
    rgba = img.convert("RGBA")
    img = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)'''


def learn_block(src: Source) -> str:
    """Lines that set `x` to a Learn page's picture (sample, upload or dataset digit)."""
    if src.kind == "dataset":
        return dataset_block(src.name, "images") + f"""
x = images[{src.index}]  # (1, H, W)""" + ("""
x = np.repeat(x, 3, axis=0)  # the dataset is grey: three identical channels""" if src.channels == 3 else "")
    if src.kind == "upload":
        body = OPEN_PHOTO
    elif src.name in DRAWN:
        body = f'''# The app's own drawing, saved in its assets/ folder (run from the CNN Explorer folder or
# change ASSETS to where that folder is).
ASSETS = Path("assets")
img = Image.open(ASSETS / "samples" / "{src.name}.png", formats=["PNG"]).convert("L")'''
    else:
        body = f'''from sklearn.datasets import load_sample_image

img = Image.fromarray(load_sample_image("{src.name}.jpg"))  # scikit-learn's sample photo'''
    return body + _fit(src.max_side) + "\n" + _to_array(src.channels or 1)


def dataset_block(name: str, var: str, labels: str | None = None) -> str:
    """Lines that set `var` to a whole dataset as the app loads it: float32 (N, C, H, W) in
    [0, 1] (and `labels` to its (N,) labels when named)."""
    lab = f"\n{labels} = digits.target" if labels else ""
    if name == "digits":
        return f"""from sklearn.datasets import load_digits

digits = load_digits()  # scikit-learn's 1,797 handwritten digits, 8x8, values 0-16
{var} = (digits.images.astype(np.float32) / 16.0)[:, None]  # (N, 1, 8, 8) in [0, 1]{lab}"""
    lab = f"\n{labels} = np.array([label for label, _ in entries])" if labels else ""
    return f"""import zipfile

# Sign Language Digits (Ankara Ayrancı Anadolu High School, Apache-2.0): the GitHub archive of
# github.com/ardamavi/Sign-Language-Digits-Dataset. Put its path here.
ARCHIVE = "{SIGN_DIGITS_ZIP}"
with zipfile.ZipFile(ARCHIVE) as zf:
    entries = sorted(
        (int(parts[-2]), info.filename)
        for info in zf.infolist()
        if (parts := info.filename.split("/"))[-1] and len(parts) >= 3 and parts[-3] == "Dataset"
        and parts[-2].isdigit() and parts[-1].lower().endswith((".jpg", ".jpeg", ".png")))
    entries.sort(key=lambda e: (e[0], e[1].split("/")[-1]))  # by digit, then file name
    pixels = []
    for _, member in entries:
        with zf.open(member) as fh:
            photo = ImageOps.exif_transpose(Image.open(fh, formats=["JPEG", "PNG"])).convert("L")
            pixels.append(np.asarray(photo.resize((64, 64), Image.Resampling.LANCZOS)))
{var} = (np.stack(pixels).astype(np.float32) / np.float32(255.0))[:, None]  # (2062, 1, 64, 64){lab}"""
