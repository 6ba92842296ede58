"""'Neurons, layers, ReLU, dropout' page: the pieces the course's networks are made of, each
computed live: a neuron, a dense layer and softmax, the course's first network counted, ReLU
against tanh and sigmoid trained here, dropout in training and at test time, and AlexNet's
augmentation previewed on real pictures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
import torch

from explorer import models
from explorer.data import datasets
from explorer.learn import activation_race, alexnet_augment, dropout_demo, neuron, neuron_charts
from explorer.pictures import render
from explorer.ui import cached, data_widgets, first_screen, shared_charts, tables, url_state


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


def course_mlp_view() -> None:
    st.subheader("3. The course's first network, counted")
    model = models.build("course_mlp")
    rows = neuron.dense_rows(model)
    total = sum(r.params for r in rows)
    # Layers by their place in the network (the module's index in nn.Sequential, 1/4/7, meant
    # nothing to a student); thousands separated as in the sentence below.
    names = [f"dense {i} ({'output' if i == len(rows) else 'hidden'})" for i in range(1, len(rows) + 1)]
    counts = st.column_config.NumberColumn(format="localized")
    tables.show(pd.DataFrame([{"layer": n, "inputs": r.inputs, "units": r.units,
                                "weights (inputs x units)": r.weights, "biases": r.units, "parameters": r.params}
                               for n, r in zip(names, rows)]), key="blocks_mlp_table",
                 column_config={c: counts for c in ("inputs", "units", "weights (inputs x units)", "biases",
                                                    "parameters")})
    first = rows[0]
    st.markdown(f"Each 64x64 photo is flattened to {first.inputs:,} numbers, read by {first.units} neurons, "
                f"then {rows[1].units}, then {rows[-1].units} class scores: **{total:,} parameters** "
                f"({first.params / total:.0%} of them in the first layer), as built here; the course "
                "counts 2,365,450 (quoted from the course, section 1.2).")


@st.cache_data(max_entries=4, show_spinner="Training three small networks…")
def _race(steps: int, seed: int) -> list[activation_race.Curve]:
    train, _ = datasets.split(cached.dataset("digits"))
    torch.set_num_threads(1)
    return activation_race.race(train.images, train.labels, steps=steps, seed=seed)


def activation_view() -> None:
    st.subheader("4. ReLU against tanh and sigmoid, trained here")
    st.write("The same small CNN (four 3x3 convolutions) from the same starting weights, trained on "
             "the 8x8 digits with SGD and momentum, once with each activation. Which one gets the "
             "training error below 25% first?")
    c = st.columns(3)
    steps = c[0].select_slider("Training steps", [100, 200, 300, 400], 200, key="blocks_race_steps")
    seed = c[1].number_input("Seed", 0, 99, 0, key="blocks_race_seed")
    if not c[2].button("▶ Train the three", key="blocks_race_run", type="primary") and \
            not st.session_state.get("blocks_race_done"):
        st.info("The course quotes AlexNet's result: with ReLU, a 4-layer CNN reached a 25% training "
                "error on CIFAR-10 **six times faster** than the same network with tanh (quoted from the "
                "course, section 2.1.2). Press the button to try a small version here (a few seconds).")
        return
    st.session_state["blocks_race_done"] = True
    curves = _race(int(steps), int(seed))
    long = pd.DataFrame([{"step": s, "training error": e, "activation": cv.act}
                         for cv in curves for s, e in zip(cv.steps, cv.errors)])
    st.line_chart(long, x="step", y="training error", color="activation")
    rows = []
    for cv in curves:
        reached = cv.steps_to()
        secs = cv.seconds[cv.steps.index(reached)] if reached else None
        rows.append({"activation": cv.act, "steps to 25% error": reached or f"not within {cv.steps[-1]}",
                     "training seconds to 25%": None if secs is None else round(secs, 2),
                     "final training error": round(cv.errors[-1], 3)})
    tables.show(pd.DataFrame(rows), key="blocks_race_table")
    by = {cv.act: cv.steps_to() for cv in curves}
    if by["relu"] and by["tanh"]:
        ratio = by["tanh"] / by["relu"]
        verdict = (f"Here ReLU needed {ratio:.1f} times fewer steps than tanh."
                   if ratio > 1 else f"Here tanh got there first ({1 / ratio:.1f} times fewer steps than ReLU): "
                   "on a network this small and shallow, saturation hurts little; the six-fold gain the "
                   "course quotes is for a larger network on CIFAR-10.")
    else:
        verdict = "Not every activation reached 25% within these steps."
    st.caption(verdict + " Sigmoid's gradient is at most 0.25 per layer, so four of them in a row learn "
               "very slowly. Times are measured on this machine (busy or not), so compare steps first.")


def dropout_view() -> None:
    st.subheader("5. Dropout: training time and test time")
    c = st.columns(2)
    p = c[0].select_slider("Drop probability p", [0.2, 0.25, 0.5, 0.75], 0.5, key="blocks_dropout_p")
    t = c[1].slider("Training step", 0, 20, 0, key="blocks_dropout_step",
                    help="Each step draws a new random mask.")
    x = np.array([0.9, 0.2, 0.7, 0.4, 1.0, 0.1, 0.6, 0.3])
    s = dropout_demo.step(x, p, t)
    tables.show(pd.DataFrame({
        "": ["layer input", "kept this step", "PyTorch, training (x 1/(1-p) for the kept)",
             "PyTorch, test (unchanged)", "course / AlexNet paper, training (kept, unscaled)",
             "course / AlexNet paper, test (all x (1-p))"],
        **{f"unit {i}": [f"{s.x[i]:g}", "✓" if s.kept[i] else "✗", f"{s.torch_train[i]:.2f}",
                         f"{s.torch_test[i]:.2f}", f"{s.paper_train[i]:.2f}", f"{s.paper_test[i]:.2f}"]
           for i in range(len(x))},
    }), key="blocks_dropout_table")
    avg = dropout_demo.average_over_steps(x, p)
    st.caption(f"Both conventions keep what the next layer sees the same *on average*: over 2,000 training "
               f"steps PyTorch's training outputs average to {', '.join(f'{v:.2f}' for v in avg)}, the test "
               f"outputs being {', '.join(f'{v:.2f}' for v in s.torch_test)}. PyTorch and Keras scale during "
               "training (so testing needs nothing); the course describes the paper's way, scaling by "
               f"{1 - p:g} at test time. A dropped unit takes no part in that step's forward or backward pass.")


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
    course_mlp_view()
    activation_view()
    dropout_view()
    augmentation_view()
