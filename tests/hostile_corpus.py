"""Hostile and broken input, built in code: every file a student (or a prankster) could bring.

Three kinds, each for its real entry point: "image" for images.decode (photo uploads, the
webcam, members of a zip), "zip" for datasets.from_zip (a dataset upload), "model" for
registry.import_bytes (Saved models upload). A case is refused (with a message holding
`expect`) or accepted (expect is None: odd but legitimate files such as 16-bit PNGs).

    python -m tests.hostile_corpus OUT_DIR   # writes every case as a file, to try by hand
"""

from __future__ import annotations

import io
import json
import pickle
import stat
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

from explorer import limits
from tests.archive_factory import class_zip, png_bytes


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # "image", "zip" or "model"
    build: Callable[[], bytes]
    expect: str | None  # a fragment of the refusal message; None: the file is accepted
    suffix: str = ""  # the file name's extension when written out (what the student chose)

    @property
    def refused(self) -> bool:
        return self.expect is not None


# ---- images ---------------------------------------------------------------------------------

def encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def photo(w: int = 120, h: int = 90) -> Image.Image:
    x = np.linspace(0, 255, w, dtype=np.uint8)
    return Image.fromarray(np.stack([np.tile(x, (h, 1)), np.full((h, w), 90, np.uint8),
                                     np.tile(x[::-1], (h, 1))], -1))


def cut(data: bytes, parts: int) -> bytes:
    """The first 1/parts of a file, as when an upload is interrupted."""
    return data[: len(data) // parts]


def png_claiming(width: int, height: int) -> bytes:
    """A tiny valid-looking PNG whose header declares width x height (a decompression bomb:
    decoding it would allocate gigabytes)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    idat = b"IDAT" + zlib.compress(b"\0" * 1024)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + struct.pack(">I", len(idat) - 4) + idat
            + struct.pack(">I", zlib.crc32(idat)) + struct.pack(">I", 0) + b"IEND"
            + struct.pack(">I", zlib.crc32(b"IEND")))


@lru_cache(maxsize=4)
def one_colour_png(width: int = 8_000, height: int = 5_000) -> bytes:
    """A one-colour picture of width x height (40 megapixels by default) as a 1-bit palette
    PNG: about 5 kB on disk, 160 MB once decoded to RGB."""
    img = Image.new("P", (width, height), 0)
    img.putpalette([200, 30, 30, 0, 0, 0])
    return encode(img, "PNG", bits=1, optimize=True)


@lru_cache(maxsize=1)
def png16_40mp() -> bytes:
    """A 16-bit grey 8000 x 5000 PNG of one value (~90 kB): the old 16-bit conversion made five
    float64 copies of it (1.4 GB)."""
    return encode(Image.new("I;16", (8_000, 5_000), 1234), "PNG", compress_level=9)


def eps(endless: bool = True) -> bytes:
    """Encapsulated PostScript: Pillow hands it to Ghostscript, a program that runs the file
    (this one loops forever)."""
    body = b"{ 1 pop } loop\n" if endless else b"0 0 moveto 10 10 lineto stroke\n"
    return (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n%%EndComments\n" + body
            + b"showpage\n%%EOF\n")


def animated_gif() -> bytes:
    frames = [Image.new("L", (32, 32), v) for v in (10, 200, 90)]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


IMAGES = [
    Case("zero-byte image", "image", lambda: b"", "empty", ".png"),
    Case("truncated PNG", "image", lambda: cut(encode(photo(300, 300), "PNG"), 2), "incomplete or damaged", ".png"),
    Case("truncated JPEG", "image", lambda: cut(encode(photo(300, 300), "JPEG"), 3), "incomplete or damaged", ".jpg"),
    Case("text renamed to .png", "image", lambda: b"Dear diary, today we learned about CNNs.\n" * 20,
         "not an image we can read", ".png"),
    Case("HTML renamed to .jpg", "image", lambda: b"<!doctype html><html><body>hi</body></html>",
         "not an image we can read", ".jpg"),
    Case("decompression bomb (PNG declaring 100000 x 100000)", "image", lambda: png_claiming(100_000, 100_000),
         "megapixels", ".png"),
    Case("50 megapixels of one bit", "image", lambda: encode(Image.new("1", (10_000, 5_000)), "PNG"),
         "megapixels", ".png"),
    Case("file over the size limit", "image", lambda: b"\x89PNG" + b"0" * (limits.IMAGE_BYTES + 1), "MB", ".png"),
    Case("SVG drawing", "image", lambda: b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
         b'width="10" height="10"><rect width="10" height="10"/></svg>', "SVG", ".svg"),
    Case("animated GIF", "image", animated_gif, None, ".gif"),
    Case("16-bit PNG", "image", lambda: encode(Image.fromarray(
        np.linspace(0, 65535, 64 * 64).reshape(64, 64).astype(np.uint16)), "PNG"), None, ".png"),
    Case("CMYK JPEG", "image", lambda: encode(photo().convert("CMYK"), "JPEG"), None, ".jpg"),
    Case("PNG with transparency", "image", lambda: encode(photo().convert("RGBA"), "PNG"), None, ".png"),
    Case("EPS named .png (Ghostscript would run it)", "image", eps, "PostScript", ".png"),
    Case("EPS with its own name", "image", lambda: eps(endless=False), "PostScript", ".eps"),
    Case("16-bit 40-megapixel PNG (90 kB)", "image", png16_40mp, None, ".png"),
]


# ---- zips of class folders ------------------------------------------------------------------

def five_each(classes=("cat", "dog")) -> dict[str, bytes]:
    return {f"{c}/{k}.png": png_bytes(40 * i + k) for i, c in enumerate(classes) for k in range(5)}


def zipped(files: dict[str, bytes]) -> bytes:
    return class_zip(files).getvalue()


def with_symlink() -> bytes:
    buf = class_zip(five_each())
    with zipfile.ZipFile(buf, "a") as zf:
        info = zipfile.ZipInfo("cat/link.png")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


def too_many_members() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for k in range(limits.ARCHIVE_MEMBERS + 1):
            zf.writestr(f"cat/{k}.txt", b"")
    return buf.getvalue()


def zip_bomb() -> bytes:
    """Valid classes plus one 15 MB member of zeros (about 15 kB zipped: 1000x)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in five_each().items():
            zf.writestr(name, data)
        zf.writestr("dog/huge.png", b"\0" * (15 * 2**20))
    return buf.getvalue()


def member_too_large() -> bytes:
    """One member of 21 MB that does not compress well (under the ratio, over the member limit)."""
    noise = np.random.default_rng(0).integers(0, 256, limits.MEMBER_BYTES + 2**20, dtype=np.uint8)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("cat/big.png", noise.tobytes())
    return buf.getvalue()


def many_big_pictures(count: int) -> bytes:
    """`count` one-colour 40-megapixel PNGs in two class folders: 5 kB each zipped, each within
    every per-file limit, 160 MB each decoded (1,000 of them: a 218 kB zip needing 160 GB)."""
    one = one_colour_png()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for k in range(count):
            zf.writestr(f"{('cat', 'dog')[k % 2]}/{k}.png", one)
    return buf.getvalue()


def many_tiny_pictures(count: int = 9_999, mode: str = "RGB") -> bytes:
    """`count` 8x8 PNGs in two class folders (each becomes a 64x64 picture of the dataset)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for k in range(count):
            zf.writestr(f"{('cat', 'dog')[k % 2]}/{k}.png", png_bytes(k % 256, (8, 8), mode))
    return buf.getvalue()


def nested_zip() -> bytes:
    return zipped({"cat/more.zip": zipped(five_each()), "dog/more.zip": zipped(five_each())})


ZIPS = [
    Case("path traversal (../)", "zip", lambda: zipped({**five_each(), "../../evil/x.png": png_bytes(1)}),
         "outside its folder", ".zip"),
    Case("absolute path", "zip", lambda: zipped({**five_each(), "/etc/cron.d/x.png": png_bytes(1)}),
         "absolute path", ".zip"),
    Case("Windows absolute path", "zip", lambda: zipped({**five_each(), "C:\\Windows\\x.png": png_bytes(1)}),
         "absolute path", ".zip"),
    Case("symbolic link", "zip", with_symlink, "symbolic link", ".zip"),
    Case("nested zips only", "zip", nested_zip, "no usable images", ".zip"),
    Case("too many members", "zip", too_many_members, "entries", ".zip"),
    Case("zip bomb (1000x expansion)", "zip", zip_bomb, "zip bombs", ".zip"),
    Case("member over the size limit", "zip", member_too_large, "each file may be at most", ".zip"),
    Case("a single class", "zip", lambda: zipped({f"only/{k}.png": png_bytes(k) for k in range(6)}),
         "only one class", ".zip"),
    Case("empty folders", "zip", lambda: zipped({"cat/": b"", "dog/": b"", "readme.txt": b"hi"}),
         "no usable images", ".zip"),
    Case("zero-byte zip", "zip", lambda: b"", "not a readable zip", ".zip"),
    Case("truncated zip", "zip", lambda: zipped(five_each())[:700], "not a readable zip", ".zip"),
    Case("text renamed to .zip", "zip", lambda: b"just some notes\n" * 50, "not a readable zip", ".zip"),
    Case("images renamed and broken inside", "zip",
         lambda: zipped({**five_each(), "cat/notes.png": b"not really a png"}), None, ".zip"),
    Case("EPS drawings inside, named .png", "zip",
         lambda: zipped({**five_each(), "cat/drawing.png": eps(), "dog/sketch.png": eps(endless=False)}),
         None, ".zip"),
    Case("1,000 one-colour 40-megapixel PNGs (218 kB)", "zip", lambda: many_big_pictures(1_000),
         "megapixels", ".zip"),
    Case("20 one-colour 40-megapixel PNGs", "zip", lambda: many_big_pictures(20), "megapixels", ".zip"),
    Case("9,999 tiny colour pictures", "zip", many_tiny_pictures, "pictures", ".zip"),
]


# ---- model files ----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def exported_model() -> bytes:
    """A real model (a small custom CNN, untrained) saved in a throwaway registry and exported
    exactly as the Saved models page's Download button exports it."""
    import tempfile

    import torch

    from explorer.models import builder, from_spec
    from explorer.saved import registry
    from explorer.saved.model_card import ModelCard

    layers = [{"type": "conv", "channels": 4, "kernel": 3, "padding": 1}, {"type": "relu"},
              {"type": "maxpool", "size": 2}, {"type": "dense", "units": 10}]
    spec = builder.spec(layers, [1, 8, 8], 10)
    torch.manual_seed(0)
    meta = {"name": "corpus net", "architecture": "custom", "spec": spec, "dataset": "digits",
            "classes": [str(i) for i in range(10)], "input_size": [1, 8, 8],
            "normalisation": {"mean": [0.3], "std": [0.4]}}
    with tempfile.TemporaryDirectory() as tmp:
        saved = registry.save(from_spec.build(spec), ModelCard.from_json(meta), tmp)
        return registry.export_bytes(saved.id, tmp)


def split_header(data: bytes) -> tuple[dict, bytes]:
    n = int.from_bytes(data[:8], "little")
    return json.loads(data[8:8 + n]), data[8 + n:]


def join_header(header: dict, body: bytes) -> bytes:
    raw = json.dumps(header).encode()
    return len(raw).to_bytes(8, "little") + raw + body


def torch_pickle(new_format: bool) -> bytes:
    import torch

    buf = io.BytesIO()
    torch.save({"conv.weight": torch.zeros(4, 1, 3, 3)}, buf, _use_new_zipfile_serialization=new_format)
    return buf.getvalue()


class Boom:
    """What a malicious pickle does on load: run a command."""

    def __reduce__(self):
        return (print, ("this would have run a command",))


def wrong_shapes() -> bytes:
    import torch
    from safetensors.torch import save as st_save

    header, _ = split_header(exported_model())
    meta = header["__metadata__"]
    tensors = {k: torch.zeros([d + 1 for d in v["shape"]]) for k, v in header.items() if k != "__metadata__"}
    return st_save(tensors, metadata=meta)


def tampered_offsets() -> bytes:
    header, body = split_header(exported_model())
    key = next(k for k in header if k != "__metadata__")
    header[key]["data_offsets"][1] += 4
    return join_header(header, body)


def tampered_meta() -> bytes:
    header, body = split_header(exported_model())
    header["__metadata__"]["cnn_explorer_meta"] = '{"name": "half a descr'
    return join_header(header, body)


def header_length_too_long() -> bytes:
    data = exported_model()
    return (len(data) * 4).to_bytes(8, "little") + data[8:]


def plain_safetensors() -> bytes:
    import torch
    from safetensors.torch import save as st_save

    return st_save({"weight": torch.zeros(3, 3)})


def exported_custom(layers: list[dict], input_size: list[int], classes: int = 10, **meta_over) -> bytes:
    """A model file as the Download button writes it, for any builder network and input size,
    built by hand (the registry's own checks would refuse to save these): weights of the right
    shapes, description in the header."""
    from safetensors.torch import save as st_save

    from explorer.models import builder

    spec = builder.spec(layers, input_size, classes)
    net = _unchecked_build(layers, input_size, classes)
    meta = {"name": "costly net", "architecture": "custom", "spec": spec, "dataset": "digits",
            "classes": [str(i) for i in range(classes)], "input_size": list(input_size),
            "normalisation": {"mean": [0.3] * input_size[0], "std": [0.4] * input_size[0]}, **meta_over}
    tensors = {k: v.detach().contiguous() for k, v in net.state_dict().items()}
    return st_save(tensors, metadata={"format": "pt", "cnn_explorer_meta": json.dumps(meta)})


def _unchecked_build(layers, input_size, classes):
    """The builder's network without its cost bounds (what an older version of the app saved)."""
    from unittest import mock

    from explorer import limits
    from explorer.models import builder

    with mock.patch.object(limits, "MODEL_MACS", 10**15), mock.patch.object(limits, "MODEL_ACTIVATION_BYTES", 10**15), \
            mock.patch.object(limits, "MODEL_INPUT_SIDE", 1024):
        return builder.build(layers, input_size, classes)


def exported_zoo(architecture: str, input_size: list[int]) -> bytes:
    """A zoo architecture at another input size, exported as the Download button does."""
    from safetensors.torch import save as st_save

    from explorer import models

    options = {"in_channels": input_size[0], "num_classes": 10, "input_size": input_size[1:]}
    net = models.build(architecture, **options)
    meta = {"name": f"{architecture} at {input_size[1]}", "architecture": architecture,
            "spec": {"architecture": architecture, "options": options}, "dataset": "digits",
            "classes": [str(i) for i in range(10)], "input_size": input_size,
            "normalisation": {"mean": [0.3] * input_size[0], "std": [0.4] * input_size[0]}}
    tensors = {k: v.detach().contiguous() for k, v in net.state_dict().items()}
    return st_save(tensors, metadata={"format": "pt", "cnn_explorer_meta": json.dumps(meta)})


# The 7 MB model: 256-channel convolutions at 64x64 (Saliency 59 s and 4 GB, Maximal
# activations 6.8 GB, Occlusion with a 1-pixel window 315 s per picture).
WIDE_AT_64 = [{"type": "conv", "channels": 256, "kernel": 3, "padding": 1}, {"type": "relu"},
              {"type": "conv", "channels": 256, "kernel": 3, "padding": 1}, {"type": "relu"},
              {"type": "maxpool", "size": 16}, {"type": "dense", "units": 64}]
# A 1024x1024 input: about 10 GB of feature maps for one photo through a modest network.
HUGE_INPUT = [{"type": "conv", "channels": 8, "kernel": 3, "padding": 1}, {"type": "relu"},
              {"type": "maxpool", "size": 16}, {"type": "maxpool", "size": 16}, {"type": "dense", "units": 16}]

def with_meta(**changes) -> bytes:
    """The corpus net's file with its description changed (as a hand-edited download would be)."""
    header, body = split_header(exported_model())
    meta = {**json.loads(header["__metadata__"]["cnn_explorer_meta"]), **changes}
    header["__metadata__"]["cnn_explorer_meta"] = json.dumps(meta)
    return join_header(header, body)


def deeply_nested() -> bytes:
    """100,000 nested lists in the description (json.loads recurses once per level)."""
    header, body = split_header(exported_model())
    raw = header["__metadata__"]["cnn_explorer_meta"]
    header["__metadata__"]["cnn_explorer_meta"] = raw[:-1] + ', "config": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    return join_header(header, body)


# Item 3 of issue 19: descriptions that broke the Saved models table for everyone.
DESCRIPTIONS = [
    Case("test accuracy as a word", "model", lambda: with_meta(test_accuracy="pwned"),
         "test accuracy must be a number", ".safetensors"),
    Case("split as a list", "model", lambda: with_meta(split=[0.2, 8]), "split must be", ".safetensors"),
    Case("fewer class names than outputs", "model", lambda: with_meta(classes=["a", "b", "c"]),
         "names 3 classes but its network has 10 outputs", ".safetensors"),
    Case("more class names than outputs", "model", lambda: with_meta(classes=[f"c{k}" for k in range(12)]),
         "names 12 classes but its network has 10 outputs", ".safetensors"),
    Case("input size other than the architecture's", "model", lambda: with_meta(input_size=[1, 16, 16]),
         "does not fit its architecture", ".safetensors"),
    Case("a 9 MB name", "model", lambda: with_meta(name="x" * 9_000_000), "larger than 2 MB", ".safetensors"),
    Case("deeply nested description", "model", deeply_nested, "nested more than", ".safetensors"),
    Case("NaN in the history", "model", lambda: with_meta(history=[{"epoch": 1, "test_loss": float("nan")}]),
         "training history", ".safetensors"),
    Case("a 200-character name", "model", lambda: with_meta(name="n" * 200), "at most 80 characters", ".safetensors"),
]

MODELS = [
    Case("256-channel convolutions at 64x64", "model", lambda: exported_custom(WIDE_AT_64, [1, 64, 64]),
         "multiply-adds per picture", ".safetensors"),
    Case("1024x1024 input", "model", lambda: exported_custom(HUGE_INPUT, [1, 1024, 1024]),
         "pixels per side", ".safetensors"),
    # The course's Keras CNN at 256x256 has 118 M weights: its file is refused for its size.
    Case("course CNN at 256x256", "model", lambda: exported_zoo("course_cnn", [1, 256, 256]),
         "multiply-adds per picture|larger than", ".safetensors"),
    Case("not safetensors (text)", "model", lambda: b"these are my model notes, not a model\n" * 4,
         "not a valid .safetensors", ".safetensors"),
    Case("zero-byte model", "model", lambda: b"", "empty", ".safetensors"),
    Case("pickle inside (.pt, legacy)", "model", lambda: torch_pickle(False), "pickle", ".pt"),
    Case("pickle inside (.pth, zip)", "model", lambda: torch_pickle(True), "pickle", ".pth"),
    Case("a pickle that runs code", "model", lambda: pickle.dumps(Boom()), "pickle", ".safetensors"),
    Case("wrong shapes", "model", wrong_shapes, "do not match", ".safetensors"),
    Case("tampered header (offsets)", "model", tampered_offsets, "damaged or was changed", ".safetensors"),
    Case("tampered header (description)", "model", tampered_meta, "not valid JSON", ".safetensors"),
    Case("header length past the end", "model", header_length_too_long, "not a valid .safetensors", ".safetensors"),
    Case("truncated model", "model", lambda: exported_model()[:-64], "damaged or was changed", ".safetensors"),
    Case("safetensors from elsewhere", "model", plain_safetensors, "no CNN Explorer description", ".safetensors"),
]

CASES = IMAGES + ZIPS + MODELS + DESCRIPTIONS
# The costliest cases, timed and measured by bench.bench_uploads.py (before / after a fix).
WORST_NAMES = ("1,000 one-colour 40-megapixel PNGs (218 kB)", "20 one-colour 40-megapixel PNGs",
               "9,999 tiny colour pictures", "16-bit 40-megapixel PNG (90 kB)",
               "EPS named .png (Ghostscript would run it)", "EPS drawings inside, named .png")


def by_name(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


WORST = [by_name(n) for n in WORST_NAMES] + [
    Case("9,999 tiny grey pictures", "zip", lambda: many_tiny_pictures(mode="L"), None, ".zip"),
    Case("README's smallest dataset (2 classes x 5)", "zip", lambda: zipped(five_each()), None, ".zip")]


def write_all(folder: Path) -> list[Path]:
    """Every case as a file in `folder` (names made of the case names)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for c in CASES:
        stem = "".join(ch if ch.isalnum() else "-" for ch in c.name).strip("-")
        path = folder / f"{c.kind}-{stem}{c.suffix}"
        path.write_bytes(c.build())
        out.append(path)
    return out


if __name__ == "__main__":
    for p in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")):
        print(p)
