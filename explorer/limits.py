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

# ---- what one model may cost (an upload, a layer-builder network, one page request) ----------
# The zoo's largest trainable network, the course's hand-sign CNN, needs about 151 M
# multiply-accumulates (MACs) and 4.2 MB of feature maps per 64x64 picture (cost.course_cnn_macs
# computes it); an uploaded or built model may need twice that, not the thousands of times that
# stall a shared server.
MODEL_MACS = 300_000_000
MODEL_ACTIVATION_BYTES = 16 * 2**20  # every layer's output for one picture, float32
MODEL_INPUT_SIDE = 256  # pixels; pictures are shrunk to the model's input, so more buys nothing
# One page request (an attribution, occlusion, a pass over a dataset): forward passes x MACs,
# about a minute or two of one busy CPU core (measured: 1-3 G MACs/s per core with the class
# working), and the feature maps it may hold at once (batches are sized to fit).
REQUEST_MACS = 400_000_000_000  # the course's CNN over the 2,062 Sign Language Digits: 311 G
# The feature maps one batch may hold. Not only memory: larger batches outgrow the CPU's caches
# and cost up to 2x more per picture (the course's CNN, 4.2 MB of maps a picture, goes 15 at a
# time: its test split's probabilities and FGSM curve take 0.58-0.77x, its Occlusion map
# 0.71-0.82x the time of the 512 MB bound's batches of 121-256, 1-2 threads;
# bench/bench_split_passes.py). FastNet's batches stay in the hundreds.
BATCH_BYTES = 64 * 2**20
# Results the whole class shares (attribution maps, feature maps, top-k searches, layer lists;
# explorer/inspect/shared_results.py): a 64x64 map is 16 KB, a top-k search of FastNet's first
# layer a few hundred KB, so this keeps thousands of maps. Sixty students walking every page
# twice used 3 MB of it (bench/README.md, memory); the bound is per app process, and two
# processes on a 2-core server have ~1.5 GB between them. A server sets $CNN_EXPLORER_SHARED_MB.
SHARED_RESULTS_BYTES = 64 * 2**20

# ---- what one page draws ----------------------------------------------------------------------
# Classes drawn one by one (a confusion matrix has this many squared cells; a 1,000-class
# result drawn whole sent 40 MB to the browser and took 125 s): beyond it, the pages show the
# most frequent confusions, the worst classes and the most likely classes.
CHART_CLASSES = 30

# ---- training runs ---------------------------------------------------------------------------
# Unfinished (queued or running) background jobs of one session, and of the whole server.
JOBS_PER_SESSION = 2
JOBS_WAITING = 8
# Estimated before a run is queued (explorer.train.estimate): its time on this server and its
# peak memory; and the memory all unfinished runs may hold together.
TRAIN_SECONDS = 60 * 60
TRAIN_BYTES = 2 * 2**30
TRAIN_TOTAL_BYTES = 6 * 2**30
# Forward MACs trained per second (forward + backward + update) on one CPU core of a busy
# server, measured with bench/bench_hostile.py (course CNN, FastNet, builder nets: 0.8-1.1 G).
# A GPU server sets $CNN_EXPLORER_TRAIN_GMACS to its own, much larger, rate.
TRAIN_MACS_PER_SECOND = 1_000_000_000


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
            f"and {UPLOAD_PIXELS / 1e6:.0f} megapixels in all; a large file that unpacks to more than {EXPANSION_RATIO:.0f} times its zipped size is "
            "refused as a zip bomb. "
            "The zip's pictures stay in your browser session; a model you train on them is saved for "
            "everyone, with your folder names as its classes.")


def model_caption() -> str:
    """What a person reads under the model uploader."""
    return (f"Up to {UPLOAD_MB} MB; only .safetensors files downloaded from a Saved models page "
            "(never pickles: they can run code).")
