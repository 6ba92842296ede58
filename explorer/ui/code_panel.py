""""Show the code": an expander under a view with the script that reproduces it (explorer/codegen),
downloadable as .py and as a notebook. One function per view; each page calls one of them once.

The panel is lazy: the script, its notebook and the panel's elements are made only while the
expander is open (Streamlit's `on_change="rerun"` expander). Closed, it is one element per run
instead of seven plus the script's writing, on every run of every page that has one (issue 16:
a class's server is CPU-bound, and each element sent costs it about 0.3 ms).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

from explorer.codegen import attribution as attr_code
from explorer.codegen import baselines as baselines_code
from explorer.codegen import conv as conv_code
from explorer.codegen import inside, picture, saved_model
from explorer.codegen import live as live_code
from explorer.codegen import pool as pool_code
from explorer.codegen import signal as signal_code
from explorer.codegen.script import Script, notebook
from explorer.data.types import COURSE_SPLIT

# PyTorch, the model zoo and the registry are imported by the views that need them: the Learn
# pages' panels (convolution, pooling, 1-D) are numpy only, and a fresh server's first visit to
# one of those pages then draws without waiting ~2 s for `import torch` (bench/bench_home.py).

LABEL = "🧾 Show the code"
KEY_PREFIX = "code_panel_"  # + the view: the expander's widget key (open or not)


Built = Script | str | None  # the script, or the sentence saying why there is none (None: the panel's `why_not`)


def panel(key: str, build: Callable[[], Built], why_not: str = "", more: Callable[[], None] | None = None) -> None:
    """The expander (widget key `code_panel_<key>`): when open, the script `build()` makes, its two
    downloads (and what `more` draws beside them), or why there is no script for this view."""
    with st.expander(LABEL, expanded=False, key=KEY_PREFIX + key, on_change="rerun") as box:
        if not box.open:  # nothing inside is sent until a student opens it
            return
        script = build()
        if not isinstance(script, Script):
            st.info(script or why_not)
            return
        st.caption("A self-contained Python script (PyTorch, Captum, NumPy, scikit-learn, Pillow, "
                   "safetensors; "
                   "nothing from CNN Explorer) that recomputes what this view shows with the current "
                   "settings and prints its numbers.")
        c1, c2 = st.columns(2)
        c1.download_button("⬇️ Python script (.py)", script.code, file_name=script.py_name,
                           mime="text/x-python", on_click="ignore", key=f"code_{script.name}_py")
        c2.download_button("⬇️ Notebook (.ipynb)", notebook(script), file_name=script.ipynb_name,
                           mime="application/x-ipynb+json", on_click="ignore", key=f"code_{script.name}_ipynb")
        if more is not None:
            more()
        st.code(script.code, language="python", line_numbers=True)


NO_PICTURE = "There is no script for this picture's source yet."


def _source(key: str) -> picture.Source | None:
    """The picture's source, or None for a key codegen does not know (a new kind of picture
    gets a sentence in the panel, never a traceback)."""
    try:
        return picture.source_of(key)
    except ValueError:
        return None


def convolution(setup, kernel_name: str = "") -> None:
    """Under the Convolution page's result (setup: explorer.ui.conv_result.Setup)."""
    def build() -> Built:
        src = _source(setup.pic.key)
        return src and conv_code.script(conv_code.ConvSettings(
            src, np.asarray(setup.kernel, np.float32), setup.stride, setup.padding, setup.dilation, setup.relu,
            kernel_name))

    panel("convolution", build, NO_PICTURE)


def pooling(pic, what: str, kernel: np.ndarray, relu: bool, mode: str, size: int, stride: int,
            padding: int) -> None:
    """Under the Pooling page's result (pic: explorer.ui.image_source.Picture)."""
    def build() -> Built:
        src = _source(pic.key)
        return src and pool_code.script(pool_code.PoolSettings(
            src, what, np.asarray(kernel, np.float32), relu, mode, size, stride, padding))

    panel("pooling", build, NO_PICTURE)


# The 1-D page's slider keys for each preset, in signal_code.PAIRS order.
SIGNAL_KEYS = {
    "box * box": ("convolution_1d_box_f", "convolution_1d_box_g"),
    "two Gaussians": ("convolution_1d_gauss_fm", "convolution_1d_gauss_fs", "convolution_1d_gauss_gm",
                      "convolution_1d_gauss_gs"),
    "dropped ball": ("convolution_1d_ball_fm", "convolution_1d_ball_fs", "convolution_1d_ball_gm",
                     "convolution_1d_ball_gs"),
}


def convolution_1d(preset: str, c: float | None = None) -> None:
    """Under the 1-D convolution page's view: the pair at shift c, or the echo."""
    state = st.session_state
    if preset == "echo":
        panel("convolution_1d_echo", lambda: signal_code.echo_script(
            state["convolution_1d_sound"], int(state["convolution_1d_delay"]), float(state["convolution_1d_gain"])))
        return
    values = {name: float(state[key]) for name, key in zip(signal_code.PAIRS[preset], SIGNAL_KEYS[preset])}
    panel("convolution_1d", lambda: signal_code.pair_script(preset, values, float(c)))


@st.cache_data(max_entries=64, show_spinner=False)
def _architecture_script(name: str, channels: int, side: int, classes: int | None) -> Script | None:
    """Cached: building VGG-19 or ResNet-34 on the meta device and writing it out costs 90-110 ms
    on a busy 2-core machine (bench/bench_codegen.py), on every rerun of the page otherwise."""
    import torch

    from explorer import models
    from explorer.codegen import architecture as arch_code

    options = {"in_channels": channels, "input_size": (side, side)}
    if classes:
        options["num_classes"] = classes
    with torch.device("meta"):
        model = models.build(name, **options)
    return arch_code.script(model, models.info(name).title, (channels, side, side))


def architecture(name: str, channels: int, side: int, classes: int | None) -> None:
    """Under the Architectures page's table."""
    from explorer import models

    panel("architecture", lambda: _architecture_script(name, channels, side, classes),
          f"{models.info(name).title} is not a plain stack of PyTorch layers (it has branches or layers of "
          "its own), so there is no short script for it here yet.")


def _saved(picked) -> saved_model.SavedModel | str:
    """The saved model as the scripts load it, or why there is no script for it (its network is
    not a stack of PyTorch layers, or its folder is gone)."""
    from explorer.codegen import architecture as arch_code
    from explorer.inspect import pixel_model
    from explorer.saved import registry

    network = arch_code.module_code(pixel_model.inner(picked.model))
    if network is None:
        return "This model is not a plain stack of PyTorch layers, so there is no short script for it."
    try:
        folder = registry.get(picked.id).path
    except registry.RegistryError:
        return "This model's folder cannot be read any more (was it just deleted?)."
    card = picked.card
    split = card.split or COURSE_SPLIT
    return saved_model.SavedModel(str(folder), network, card.dataset, tuple(card.input_size),
                                  split.test_size, split.random_state)


def _with_saved(picked, write: Callable[[saved_model.SavedModel], Built]) -> Callable[[], Built]:
    """A panel's build for a saved model's script: write(model), or why there is none."""
    def build() -> Built:
        m = _saved(picked)
        return m if isinstance(m, str) else write(m)

    return build


def _picture_script(key: str, write: Callable[[picture.Source], Built]) -> Built:
    src = _source(key)
    return write(src) if src else NO_PICTURE


def explanations(picked, inp, target: int, methods: list[str], params: dict, layer: str | None = None,
                 randomised: bool = False) -> None:
    """Under the Saliency or Occlusion page's maps. params: method -> ((name, value), ...)."""
    panel("explanations", _with_saved(picked, lambda m: _picture_script(inp.key, lambda src: attr_code.script(
        attr_code.AttributionSettings(m, src, int(target), picked.classes[target],
                                      tuple((name, tuple(params.get(name, ()))) for name in methods), layer,
                                      randomised)))), NO_PICTURE)


def feature_maps(picked, inp, layers: list[str], filters_layer: str) -> None:
    """Under the Filters & feature maps page's maps."""
    panel("feature_maps", _with_saved(picked, lambda m: _picture_script(
        inp.key, lambda src: inside.feature_maps(m, src, tuple(layers), filters_layer))), NO_PICTURE)


def top_activations(picked, layer: str, k: int, channel: int) -> None:
    """Under the Maximal activations page's pictures."""
    panel("top_activations", _with_saved(picked, lambda m: inside.top_activations(m, layer, int(k), int(channel))))


def baselines(dataset: str, split, names: list[str]) -> None:
    """Under the CNN vs classical ML page's choices (split: explorer.data.types.Split)."""
    panel("baselines", lambda: baselines_code.script(dataset, split.test_size, int(split.random_state), names),
          "A script can load the built-in datasets only (your own zip stays on this server), and "
          "needs at least one classical model chosen: the fully connected network is a PyTorch "
          "training, written by `python -m explorer.train --model course_mlp --write-script net.py`.")


def live(picked, method: str, opacity: float, frame: Callable[[], None]) -> None:
    """Under the live camera's video (Saliency page or Home): the script reading one frame as
    the video does; `frame` draws the download of the last frame read."""
    panel("live", _with_saved(picked, lambda m: live_code.script(live_code.LiveSettings(m, method, float(opacity)))),
          more=frame)
