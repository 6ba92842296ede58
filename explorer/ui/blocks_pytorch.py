"""The 'Neurons, layers, ReLU, dropout' page's views computed with PyTorch (explorer/ui/blocks.py
draws the page and imports this module after its first screen): the course's first network
counted from the model built here, ReLU against tanh and sigmoid trained here, and dropout as
PyTorch applies it in training and at test time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from explorer import models, random_state
from explorer.data import datasets
from explorer.learn import activation_race, dropout_demo, neuron, neuron_charts
from explorer.train import device
from explorer.ui import cached, tables, url_state


def course_mlp_view() -> None:
    st.subheader("3. The course's first network, counted")
    with random_state.seeded(0):  # counted, not trained: its weights drawn apart from a job's
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
    with device.threads_here(1):  # three tiny networks: more threads cost more than they share out
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
    st.altair_chart(url_state.readable(neuron_charts.race(curves, activation_race.TARGET)), width="stretch")
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
        **{f"unit {i}": [f"{s.x[i]:.2f}", "✓" if s.kept[i] else "✗", f"{s.torch_train[i]:.2f}",
                         f"{s.torch_test[i]:.2f}", f"{s.paper_train[i]:.2f}", f"{s.paper_test[i]:.2f}"]
           for i in range(len(x))},
    }), key="blocks_dropout_table")
    avg = dropout_demo.average_over_steps(x, p)
    st.caption(f"Both conventions keep what the next layer sees the same *on average*: over 2,000 training "
               f"steps PyTorch's training outputs average to {', '.join(f'{v:.2f}' for v in avg)}, the test "
               f"outputs being {', '.join(f'{v:.2f}' for v in s.torch_test)}. PyTorch and Keras scale during "
               "training (so testing needs nothing); the course describes the paper's way, scaling by "
               f"{1 - p:g} at test time. A dropped unit takes no part in that step's forward or backward pass.")
