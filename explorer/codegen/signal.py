"""The 1-D convolution page as a script: the chosen pair of functions on the page's grid,
numpy.convolve times the step, and the value at the page's shift c; or the echo of a sound.
Same grids and formulas as explorer/learn/signals.py."""

from __future__ import annotations

from explorer.codegen.script import CELL, Script, join

PAIRS = {
    "box * box": ("f_width", "g_width"),
    "two Gaussians": ("f_mean", "f_std", "g_mean", "g_std"),
    "dropped ball": ("first_mean", "first_spread", "second_mean", "second_spread"),
}


def _functions(preset: str, v: dict) -> str:
    if preset == "box * box":
        return f"""# Two boxes of height 1 on a grid half a step off zero (edges fall between samples).
step = 0.02
x = np.round(np.arange(-2.0 + step / 2, 2.0, step), 10)
f = np.where((x >= -{v['f_width']!r} / 2) & (x < {v['f_width']!r} / 2), 1.0, 0.0)
g = np.where((x >= -{v['g_width']!r} / 2) & (x < {v['g_width']!r} / 2), 1.0, 0.0)"""
    if preset == "two Gaussians":
        return f"""def gaussian(x, mean, std):
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


step = 0.05
x = np.round(np.arange(-6.0, 6.0 + step / 2, step), 10)
f = gaussian(x, {v['f_mean']!r}, {v['f_std']!r})
g = gaussian(x, {v['g_mean']!r}, {v['g_std']!r})"""
    return f"""def drop(n, mean, spread):
    \"\"\"P(the ball lands a metres away), a = 0..n: a bell rounded to whole metres, summing to 1.\"\"\"
    a = np.arange(n + 1)
    p = np.exp(-0.5 * ((a - mean) / max(spread, 1e-3)) ** 2)
    return p / p.sum()


x = np.arange(13, dtype=float)  # distances 0..12 m
step = 1.0
f = drop(12, {v['first_mean']!r}, {v['first_spread']!r})  # first drop
g = drop(12, {v['second_mean']!r}, {v['second_spread']!r})  # second drop"""


def pair_script(preset: str, values: dict, c: float) -> Script:
    """values: the preset's settings by the names in PAIRS; c: the page's shift."""
    text = join(
        f'"""CNN Explorer, 1-D convolution: {preset}, (f * g)(c) on a grid and at c = {c:g}."""',
        CELL,
        "import numpy as np",
        CELL + " The two functions, sampled on one grid",
        _functions(preset, values),
        CELL + " Their convolution: numpy.convolve times the grid step (a Riemann sum of the integral)",
        f"""result = np.convolve(f, g) * step
c_grid = 2 * x[0] + step * np.arange(len(result))  # where each value of f * g sits
k = int(round(({c!r} - c_grid[0]) / step))
print("length:", len(result))
print(f"(f * g)({{c_grid[k]:g}}):", f"{{result[k]:.4f}}")
print("area of f * g:", f"{{result.sum() * step:.3f}}")""",
    )
    return Script(f"{preset}, convolved", text, "convolution_1d")


def echo_script(sound: str, delay_ms: int, gain: float, sample_rate: int = 16_000) -> Script:
    """The echo: a synthesised sound convolved with two spikes."""
    sounds = {
        "plucked note": """wave = sum(np.sin(2 * np.pi * 330 * h * t) / h for h in (1, 2, 3, 4))
out = wave * np.exp(-t * 12)""",
        "hand clap": """noise = np.random.default_rng(7).standard_normal(len(t))
out = noise * np.exp(-t * 40)""",
        "rising chirp": """freq = 300 + 1200 * t / 0.35
out = np.sin(2 * np.pi * np.cumsum(freq) / RATE) * np.hanning(len(t))""",
    }
    text = join(
        f'"""CNN Explorer, 1-D convolution: a {sound} with an echo after {delay_ms} ms at loudness {gain:g}."""',
        CELL,
        "import numpy as np",
        CELL + " The sound (0.35 s)",
        f"""RATE = {sample_rate}
t = np.arange(int(0.35 * RATE)) / RATE
{sounds[sound]}
sound = out / np.abs(out).max()""",
        CELL + " The kernel: 1 now (the sound itself) and the echo after the delay",
        f"""kernel = np.zeros(int(round({delay_ms / 1000!r} * RATE)) + 1)
kernel[0] = 1.0
kernel[-1] += {gain!r}
heard = np.convolve(sound, kernel)
print("length:", len(sound), "+", len(kernel), "- 1 =", len(heard), "samples")
print("loudest:", f"{{np.abs(heard).max():.4f}}")
# To listen: from scipy.io import wavfile; wavfile.write("echo.wav", RATE, (heard / np.abs(heard).max()).astype(np.float32))""",
    )
    return Script(f"A {sound} with an echo", text, "echo")
