"""'Neurons, layers, ReLU, dropout' page: the pieces the course's networks are made of, each
computed live: a neuron, a dense layer and softmax, the course's first network counted, ReLU
against tanh and sigmoid trained here, dropout in training and at test time, and AlexNet's
augmentation previewed on real pictures. The views that need PyTorch are in blocks_pytorch.py."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.learn import alexnet_augment, neuron, neuron_charts
from explorer.pictures import render
from explorer.ui import cached, data_widgets, first_screen, shared_charts, url_state


def neuron_view() -> None:
    st.subheader("1. A neuron")
    st.write("A node multiplies each input by a weight, adds them up with a bias, and passes the sum "
             "through an activation function that decides how much signal goes on.")
    numbers, curve = st.columns([3, 2], gap="medium")
    c = numbers.columns(4)
    x = [c[i].number_input(f"input x{i + 1}", -10.0, 10.0, v, 0.5, key=f"blocks_x{i}")
         for i, v in enumerate((1.0, 0.5, -1.0))]
    w = [c[i].number_input(f"weight w{i + 1}", -10.0, 10.0, v, 0.5, key=f"blocks_w{i}")
         for i, v in enumerate((0.8, -0.5, 0.3))]
    b = c[3].number_input("bias b", -10.0, 10.0, 0.1, 0.1, key="blocks_b")
    act = c[3].selectbox("activation", neuron.ACTIVATIONS, key="blocks_activation")
    out = neuron.neuron(np.array(x), np.array(w), b, act)
    terms = " + ".join(f"{_signed(wi)}·{_signed(xi)}" for wi, xi in zip(w, x))
    numbers.latex(f"z = {terms} + {_signed(b)} = {out.z:.3g}")
    numbers.latex(f"a = \\text{{{act}}}(z) = {out.a:.3g}")
    with curve:  # the same for every student with these numbers: the spec is built once for the class
        shared_charts.draw(st, ("neuron_activation", act, out.z, url_state.presenting()),
                           lambda: url_state.readable(neuron_charts.activation_curve(act, out.z)), width="stretch")


def _signed(v: float) -> str:
    """A number inside a sum: negatives in brackets ("0.3·(-1)", not "0.3·-1" or "+ -0.5")."""
    return f"({v:g})" if v < 0 else f"{v:g}"


def layer_and_softmax_view() -> None:
    st.subheader("2. A fully connected layer, and softmax")
    st.write("A fully connected (dense) layer is many such neurons side by side, each reading every "
             "input: (inputs + 1) x units parameters. The last layer of a classifier gives one score per "
             "class; **softmax** turns the scores into probabilities that add up to 1.")
    c = st.columns(4)
    scores = np.array([c[i].number_input(f"score of class {i}", -10.0, 10.0, v, 0.5, key=f"blocks_s{i}")
                       for i, v in enumerate((2.0, 1.0, 0.1, -1.0))])
    p = neuron.softmax(scores)
    st.latex("p_i = \\frac{e^{s_i}}{\\sum_j e^{s_j}} \\;\\Rightarrow\\; "
             + ", ".join(f"p_{i} = {v:.3f}" for i, v in enumerate(p)) + f" \\quad (\\text{{sum}} = {p.sum():.3f})")


def augmentation_view() -> None:
    st.subheader("6. Augmentation as AlexNet did it: mirror images and random crops")
    name = "sign-digits" if data_widgets.sign_digits_ready() else "digits"
    ds = cached.dataset(name)
    seed = st.slider("Batch", 0, 20, 0, key="blocks_aug_seed", help="Each number draws another random batch.")
    rng = np.random.default_rng(seed)
    picks = ds.images[rng.choice(len(ds), 8, replace=False)].astype(np.float32)
    if picks.max() > 1:
        picks = picks / 255
    views = alexnet_augment.batch(picks, 8, seed)
    scale = render.upscale_factor(ds.image_shape[-1], 96)
    st.image(render.mosaic(picks, 8, scale=scale), caption=f"Eight {name} pictures", width="stretch")
    crops = np.stack([v for v, _ in views])
    st.image(render.mosaic(crops, 8, scale=scale), width="stretch",
             caption="The same eight as one training batch sees them: " + "; ".join(t for _, t in views))
    share = alexnet_augment.CROP_SHARE
    st.caption(f"AlexNet trained on random 224x224 crops of 256x256 pictures ({share:.0%} of the side) and "
               "their mirror images, so every epoch saw slightly different pictures. The course: this is "
               "what let so large a network not overfit.")
    st.warning("**When mirroring is wrong for hand signs**: a mirrored photo of a right hand is a left "
               "hand making the same shape. For these digit signs that is usually still the same digit, "
               "but where the hand, the direction of a movement or the side of the body changes the meaning "
               "(many letters and words of sign languages), a mirror turns one sign into another or into "
               "nothing, and the label becomes wrong. The same goes for written digits and letters (a "
               "mirrored 3 is not a 3). Check with the people who use the signs before mirroring.")


def show() -> None:
    neuron_view()
    layer_and_softmax_view()
    first_screen.drawn()  # the neuron's chart and softmax fill the first screen: drawn before the rest arrives
    # Imported here, after the first screen: its views need PyTorch, and on a fresh server the
    # first screen then does not wait ~2 s for `import torch` (bench/bench_home.py).
    from explorer.ui import blocks_pytorch

    blocks_pytorch.course_mlp_view()
    blocks_pytorch.activation_view()
    blocks_pytorch.dropout_view()
    augmentation_view()
