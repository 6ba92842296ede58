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


def mb(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:.0f} MB"


def image_caption() -> str:
    """What a student reads under a picture uploader or the webcam."""
    return (f"Up to {UPLOAD_MB} MB and {IMAGE_PIXELS / 1e6:.0f} megapixels; {IMAGE_FORMATS}. "
            "Your picture stays in your browser session: nobody else sees it.")


def webcam_caption() -> str:
    """What a student reads under the webcam: no file sizes or formats to worry about there
    (it was captioned with the photo uploader's limits, issue #14)."""
    return ("Click “Take Photo” to use the picture; the browser asks once for the camera. "
            "The picture stays in your browser session: nobody else sees it, and nothing is saved.")


def zip_caption() -> str:
    """What a student reads under the dataset zip uploader."""
    return (f"Up to {UPLOAD_MB} MB zipped, at most {ARCHIVE_MEMBERS:,} files, each image up to "
            f"{mb(MEMBER_BYTES)} and {IMAGE_PIXELS / 1e6:.0f} megapixels, {mb(ARCHIVE_BYTES)} unpacked "
            f"in all; a large file that unpacks to more than {EXPANSION_RATIO:.0f} times its zipped size is "
            "refused as a zip bomb. "
            "The zip stays in your browser session: nobody else sees it.")


def model_caption() -> str:
    """What a person reads under the model uploader."""
    return (f"Up to {UPLOAD_MB} MB; only .safetensors files downloaded from a Saved models page "
            "(never pickles: they can run code).")
