"""Every bound on what people can bring to the server, in one place, with the sentences that
state them next to each uploader.

A classroom server is shared: one student's 200-megapixel panorama or zip bomb must not stall
everyone else, so each input is bounded before it is decoded or unpacked.
"""

from __future__ import annotations

# Streamlit refuses larger uploads itself; keep equal to server.maxUploadSize in
# .streamlit/config.toml (a test checks they agree).
UPLOAD_MB = 10
# One image file (an upload, a webcam shot or one member of a zip).
IMAGE_BYTES = 20 * 2**20
# 40 megapixels is more than any phone photo; a decompression bomb declares far more.
IMAGE_PIXELS = 40_000_000
# A zip of class folders: entries, unpacked size of one member and of all of them, and the
# compression ratio of one member beyond which it is treated as a zip bomb.
ARCHIVE_MEMBERS = 10_000
MEMBER_BYTES = 20 * 2**20
ARCHIVE_BYTES = 400 * 2**20
EXPANSION_RATIO = 200.0
RATIO_FROM_BYTES = 2**20  # small files (a blank PNG) may legitimately compress very well
# A model file brought from another computer (the largest zoo models are a few MB).
MODEL_BYTES = 64 * 2**20

IMAGE_FORMATS = "PNG, JPEG, GIF, BMP, WebP or TIFF"
# A model's name (the Train and Saved models pages' text boxes, the CLI's --name).
MODEL_NAME_CHARS = 80
# Torch threads a command line may ask for: more than the machine's cores only slows training
# down, and 100,000 crashed the process.
THREADS_PER_CORE = 1
# The only Pillow decoders ever run on a file someone brings. Pillow can open ~40 formats and
# some hand the file to another program (EPS runs Ghostscript, a PostScript interpreter: a
# student's endless loop kept it at 100% CPU after the tab was closed).
IMAGE_DECODERS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF")

# One whole upload of many pictures (a dataset zip), beyond the per-file bounds above: a 218 kB
# zip of 1,000 one-colour 40-megapixel PNGs passes every per-file check and decodes to 160 GB.
# Pictures are decoded one at a time and shrunk at once, and the upload as a whole may decode at
# most UPLOAD_PIXELS pixels (each picture counts at least PICTURE_MIN_PIXELS, so 10,000 tiny
# files count too) in at most UPLOAD_SECONDS.
UPLOAD_PIXELS = 200_000_000  # five 40-megapixel pictures, or ~50,000 pictures of 64 x 64
PICTURE_MIN_PIXELS = 64 * 64
UPLOAD_SECONDS = 60.0
# The dataset a zip becomes (float32 pictures kept in the student's session): at most this
# many values, i.e. 10,000 grey or 3,333 colour pictures of 64 x 64 (164 MB).
DATASET_VALUES = 10_000 * 64 * 64


def max_threads() -> int:
    import os

    return max(1, (os.cpu_count() or 1) * THREADS_PER_CORE)


def mb(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:.0f} MB"


def image_caption() -> str:
    """What a student reads under a picture uploader or the webcam."""
    return (f"Up to {UPLOAD_MB} MB and {IMAGE_PIXELS / 1e6:.0f} megapixels; {IMAGE_FORMATS}. "
            "Your picture stays in your browser session: nobody else sees it.")


def zip_caption() -> str:
    """What a student reads under the dataset zip uploader."""
    return (f"Up to {UPLOAD_MB} MB zipped, at most {ARCHIVE_MEMBERS:,} files, each image up to "
            f"{mb(MEMBER_BYTES)} and {IMAGE_PIXELS / 1e6:.0f} megapixels, {mb(ARCHIVE_BYTES)} unpacked "
            f"and {UPLOAD_PIXELS / 1e6:.0f} megapixels in all; a large file that unpacks to more than {EXPANSION_RATIO:.0f} times its zipped size is "
            "refused as a zip bomb. "
            "The zip stays in your browser session: nobody else sees it.")


def model_caption() -> str:
    """What a person reads under the model uploader."""
    return (f"Up to {UPLOAD_MB} MB; only .safetensors files downloaded from a Saved models page "
            "(never pickles: they can run code).")
