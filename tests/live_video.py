"""Video for the fake camera, made from dataset photos: Chromium plays a .y4m file in place of
a webcam (--use-file-for-fake-video-capture), looping it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

WIDTH, HEIGHT = 320, 240  # a 4:3 webcam picture; the model reads its centred 240x240 square


def camera_frame(picture: np.ndarray, width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """A dataset picture, float (1 or 3, h, w) in [0, 1], filmed: (height, width, 3) uint8 with
    the photo enlarged to fill the frame's centred square and grey on either side."""
    side = min(width, height)
    arr = np.asarray(picture, np.float32).transpose(1, 2, 0)
    pixels = (arr[..., 0] if arr.shape[-1] == 1 else arr) * 255
    img = Image.fromarray(np.round(pixels).astype(np.uint8)).convert("RGB")
    frame = Image.new("RGB", (width, height), (128, 128, 128))
    frame.paste(img.resize((side, side), Image.Resampling.BICUBIC), ((width - side) // 2, (height - side) // 2))
    return np.asarray(frame)


def yuv420(rgb: np.ndarray) -> bytes:
    """(H, W, 3) uint8 RGB -> one planar 4:2:0 frame, full-range BT.601 (y4m's C420jpeg)."""
    f = rgb.astype(np.float32)
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    u = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    v = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b

    def quarter(c):  # the mean of each 2x2 block
        return (c[0::2, 0::2] + c[1::2, 0::2] + c[0::2, 1::2] + c[1::2, 1::2]) / 4

    planes = [y, quarter(u), quarter(v)]
    return b"".join(np.clip(p + 0.5, 0, 255).astype(np.uint8).tobytes() for p in planes)


def write_y4m(path: Path, frames: list[np.ndarray], fps: int) -> Path:
    """A YUV4MPEG2 file of (H, W, 3) uint8 RGB frames (H and W even)."""
    h, w = frames[0].shape[:2]
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        out.writelines(b"FRAME\n" + yuv420(frame) for frame in frames)
    return path


def read_y4m(path: Path) -> list[np.ndarray]:
    """The frames of a file write_y4m made, back as (H, W, 3) uint8 RGB (tests check the round trip)."""
    data = Path(path).read_bytes()
    header, rest = data.split(b"\n", 1)
    fields = {f[:1]: f[1:] for f in header.split()[1:]}
    w, h = int(fields[b"W"]), int(fields[b"H"])
    size = w * h * 3 // 2
    frames = []
    for chunk in rest.split(b"FRAME\n")[1:]:
        p = np.frombuffer(chunk[:size], np.uint8).astype(np.float32)
        y = p[:w * h].reshape(h, w)
        u = p[w * h:w * h + w * h // 4].reshape(h // 2, w // 2).repeat(2, 0).repeat(2, 1) - 128
        v = p[w * h + w * h // 4:].reshape(h // 2, w // 2).repeat(2, 0).repeat(2, 1) - 128
        rgb = np.stack([y + 1.402 * v, y - 0.344136 * u - 0.714136 * v, y + 1.772 * u], -1)
        frames.append(np.clip(rgb + 0.5, 0, 255).astype(np.uint8))
    return frames
