"""Attribution maps as pictures, the way Captum's `visualize_image_attr` scales them.

`normalise` reproduces Captum's sign selection and outlier clipping: the scale is the value at
which the sorted |attributions| reach (100 - outlier_perc) % of their cumulative sum, so a few
extreme pixels do not turn the rest of the map white. Colours follow the app's convention
(explorer.pictures.colormaps): red positive, blue negative, white zero.
"""

from __future__ import annotations

import numpy as np

from explorer.pictures import colormaps, render

SIGNS = {
    "absolute_value": "Size only (|value|)",
    "all": "Positive and negative",
    "positive": "Positive only",
    "negative": "Negative only",
}


def threshold(values: np.ndarray, percentile: float) -> float:
    """Captum's cumulative-sum threshold of non-negative values."""
    ordered = np.sort(np.asarray(values, np.float64).ravel())
    sums = np.cumsum(ordered)
    if sums.size == 0 or sums[-1] <= 0:
        return 0.0
    return float(ordered[np.argmax(sums >= sums[-1] * 0.01 * percentile)])


def normalise(attr: np.ndarray, sign: str = "absolute_value", outlier_perc: float = 2.0) -> np.ndarray:
    """(H, W) attributions -> (H, W) in [-1, 1] ([0, 1] for absolute_value and positive).

    Same result as captum.attr._utils.visualization._normalize_attr; an all-zero map (e.g. a
    class the model ignores, or a sign with no values) stays zero instead of dividing by 0.
    """
    if sign not in SIGNS:
        raise ValueError(f"sign must be one of {', '.join(SIGNS)}")
    a = np.asarray(attr, np.float64)
    a = {"all": a, "positive": np.maximum(a, 0), "negative": np.minimum(a, 0),
         "absolute_value": np.abs(a)}[sign]
    t = threshold(np.abs(a), 100.0 - outlier_perc)
    if t == 0:
        return np.zeros_like(a, dtype=np.float32)
    t = -t if sign == "negative" else t  # Captum: negative maps come out in [0, 1] too
    return np.clip(a / t, -1, 1).astype(np.float32)


def colour(norm: np.ndarray, sign: str = "absolute_value") -> np.ndarray:
    """(H, W) normalised map -> (H, W, 3) uint8: blue negative, white 0, red positive (the
    'negative' map, which Captum returns as magnitudes in [0, 1], is drawn blue)."""
    return colormaps.diverging(-norm if sign == "negative" else norm, 1.0)


def overlay(image: np.ndarray, norm: np.ndarray, opacity: float = 0.6, sign: str = "absolute_value") -> np.ndarray:
    """The map over the picture: (C, H, W) image in [0, 1] and (H, W) normalised map -> (H, W, 3)
    uint8. Each pixel's colour weight is opacity * |value|, so where the map is 0 the picture
    shows unchanged and the strongest pixels are `opacity` colour."""
    base = render.as_rgb(render.to_uint8(image)).astype(np.float32)
    heat = colour(norm, sign).astype(np.float32)
    alpha = float(np.clip(opacity, 0, 1)) * np.abs(norm)[..., None]
    return (base * (1 - alpha) + heat * alpha + 0.5).astype(np.uint8)


def legend(sign: str) -> str:
    if sign == "negative":
        return "blue = pushes against the class (strongest = darkest), white = 0"
    if sign == "all":
        return "red = for the class, blue = against it, white = 0"
    return "red = strongest, white = 0" + (" (size of the value, either sign)" if sign == "absolute_value" else "")
