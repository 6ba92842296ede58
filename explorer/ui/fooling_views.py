"""The Fooling page's pieces: the attack's settings, the attacked picture with what changed,
saliency before and after, and accuracy against ε over the test split with the defence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from explorer.inspect import heatmaps, robustness, trust_charts
from explorer.percent import percent
from explorer.pictures import colormaps
from explorer.ui import attribution_cache, defence, input_picker, plain, tables, trust_cache, url_state
from explorer.ui.input_picker import Input
from explorer.ui.model_picker import Picked

SIDE = 220
ATTACKS = {"fgsm": "FGSM", "pgd": "PGD"}
ANY = -1


@dataclass(frozen=True)
class AttackSettings:
    """What the student asked for: `goal` is a class index or ANY; `target` is the class the
    attack pushes towards (targeted) or away from (the true class)."""
    kind: str
    epsilon: float
    steps: int
    goal: int
    target: int

    @property
    def targeted(self) -> bool:
        return self.goal != ANY


def controls(picked: Picked, said: int, truth: int) -> AttackSettings:
    """Attack, ε, PGD steps and goal in one row."""
    c1, c2, c3, c4 = st.columns([2, 3, 2, 2])
    kind = c1.segmented_control("Attack", list(ATTACKS), format_func=ATTACKS.get, default="fgsm", required=True,
                                key="fooling_attack", bind=url_state.BIND,
                                help="FGSM: one step of ε along the gradient's sign. PGD: several smaller steps, "
                                     "each kept within ε of the original; stronger, and slower.")
    epsilon = c2.slider("ε (how far each pixel may move)", 0.0, 0.3, 0.05, 0.005, key="fooling_epsilon",
                        bind=url_state.BIND, format="%.3f")
    steps = c3.slider("PGD steps", 1, 40, 10, key="fooling_steps", bind=url_state.BIND, disabled=kind != "pgd",
                      help="Each step moves the pixels by 2.5 ε / steps, then pulls them back to within ε.")
    goal = c4.selectbox("Goal", [ANY, *range(len(picked.classes))], key="fooling_goal", bind=url_state.BIND,
                        format_func=lambda k: "any wrong answer" if k == ANY else f"make it say {picked.classes[k]}")
    if goal != ANY and goal == said:
        st.info(f"The model already says {plain.md(picked.classes[goal])}: choose another class to aim for.")
    return AttackSettings(kind, float(epsilon), int(steps) if kind == "pgd" else 0, int(goal),
                  int(goal) if goal != ANY else truth)


def outcome(picked: Picked, inp: Input, said: int, attack: AttackSettings) -> robustness.Attack:
    """Original, amplified change and fooled picture; whether it worked; probabilities before
    and after."""
    result = trust_cache.attacked(picked.id, inp.key, inp.array, attack.kind, attack.epsilon, attack.target,
                                  attack.targeted, attack.steps)
    after = int(result.after.argmax())
    amplified = colormaps.diverging(result.perturbation.mean(0), max(attack.epsilon, 1e-6))
    a, b, c = st.columns(3)
    a.image(input_picker.big(result.original, SIDE), width="stretch", output_format="PNG",
            caption=f"Original: {plain.md(picked.classes[said])} ({percent(result.before[said])})")
    b.image(input_picker.big_rgb(amplified, SIDE), width="stretch", output_format="PNG",
            caption=f"The change, amplified: red = brighter, blue = darker, by up to ε = {attack.epsilon:.3f}")
    c.image(input_picker.big(result.fooled, SIDE), width="stretch", output_format="PNG",
            caption=f"{'Fooled' if result.succeeded else 'Not fooled'}: {plain.md(picked.classes[after])} "
                    f"({percent(result.after[after])})")
    _verdict(picked, result, attack)
    p1, p2 = st.columns(2)
    p1.markdown("**Before**")
    p1.altair_chart(url_state.readable(input_picker.probability_chart(result.before, picked.classes, said)), width="stretch")
    p2.markdown("**After**")
    p2.altair_chart(url_state.readable(input_picker.probability_chart(result.after, picked.classes, after)), width="stretch")
    return result


def _verdict(picked: Picked, result: robustness.Attack, attack: AttackSettings) -> None:
    after = int(result.after.argmax())
    eps = attack.epsilon
    if eps == 0:
        st.info("With ε = 0 nothing changes: move the slider.")
    elif result.succeeded:
        aim = (f"says **{plain.md(picked.classes[attack.goal])}**" if attack.targeted
               else f"now says **{plain.md(picked.classes[after])}**")
        st.success(f"🎭 Fooled: the model {aim} ({percent(result.after[after])}) after every pixel moved by at most "
                   f"{eps:.3f} (mean change {np.abs(result.perturbation).mean():.3f}).")
    else:
        aim = f"say {plain.md(picked.classes[attack.goal])}" if attack.targeted else "change its answer"
        st.warning(f"Not fooled yet: the model did not {aim} (it says {plain.md(picked.classes[after])}, "
                   f"{percent(result.after[after])}). Try a larger ε"
                   f"{' or PGD' if attack.kind == 'fgsm' else ' or more steps'}.")


def where_it_looks(picked: Picked, inp: Input, result: robustness.Attack, said: int, attack: AttackSettings) -> None:
    """Saliency of the class the model says, on the original and on the attacked picture."""
    after = int(result.after.argmax())
    key_after = (f"{inp.key}:fooled:{attack.kind}:{attack.epsilon}:{attack.target}:{attack.targeted}:"
                 f"{attack.steps}")
    s1, s2 = st.columns(2)
    for col, arr, key, cls, what in ((s1, result.original, inp.key, said, "original"),
                                     (s2, result.fooled, key_after, after, "attacked")):
        amap = attribution_cache.attribution_map(picked.id, False, key, arr, cls, "saliency")
        norm = heatmaps.normalise(amap, "absolute_value", 2.0)
        col.image(input_picker.big_rgb(heatmaps.overlay(arr, norm, 0.7), SIDE), output_format="PNG",
                  caption=f"Saliency of “{plain.md(picked.classes[cls])}” on the {what} picture")


def test_split(picked: Picked) -> None:
    """FGSM accuracy against ε on every test picture, next to another model's (the defence)."""
    curve = trust_cache.fgsm_curve(picked.id)
    if curve is None:
        st.info("The model's test pictures are not on this machine, so there is no curve.")
        return
    st.write(
        f"FGSM on all {curve.pictures} test pictures, at {len(curve.epsilons)} values of ε. At ε = 0 this is the "
        f"plain test accuracy ({curve.accuracies[0]:.1%}); at ε = {curve.epsilons[-1]:g} it is "
        f"{curve.accuracies[-1]:.1%}."  # as the table beside the curve writes them
    )
    st.markdown("**🛡️ The defence: adversarial training.** Train the same net with half of every batch replaced "
                "by its FGSM pictures (Train page: *Adversarial training*), then compare the curves.")
    curves = {defence.describe(picked.card) + " · chosen": curve}
    compared = _compared(picked, curves)
    chart_col, table_col = st.columns([3, 2])
    chart_col.altair_chart(url_state.readable(trust_charts.epsilon_curves(curves)), width="stretch")
    columns = [f"chosen: {defence.short(picked.card)}"] + ([f"compared: {defence.short(compared.card)}"]
                                                           if compared else [])
    accuracies = {col: [f"{a:.1%}" for a in c.accuracies] for col, c in zip(columns, curves.values())}
    with table_col:
        tables.show(pd.DataFrame({"ε": [f"{e:g}" for e in curve.epsilons], **accuracies}))
    if (note := rebound_note(curve)) is not None:
        st.caption(note)


def rebound_note(curve: robustness.Curve) -> str | None:
    """Why the chosen model's accuracy rises again at larger ε, when it does (None otherwise)."""
    points = robustness.rebound(curve)
    if points is None:
        return None
    (e0, a0), (e1, a1) = ((curve.epsilons[i], curve.accuracies[i]) for i in points)
    return (f"Why does the accuracy rise again after ε = {e0:g} ({a0:.1%}, then {a1:.1%} at ε = {e1:g})? "
            "FGSM takes one step of size ε in the direction the gradient points at the clean picture. "
            "The gradient describes the model only close to that picture: a large step goes past the "
            "wrong answers it aimed at, and some pictures land on their own class again. PGD (the other "
            "attack above) takes several small steps and looks at the gradient again after each.")


def _compared(picked: Picked, curves: dict):
    """The model to compare with (adds its curve to `curves`), and a button to train the
    defence when no comparable model has it."""
    others = defence.comparable(picked)
    compared = None
    if others:
        labels = {s.id: defence.label(s) for s in others}
        compare = st.selectbox("Compare with", [None, *labels], index=1,
                               format_func=lambda i: "nothing" if i is None else labels[i], key="fooling_compare")
        other = trust_cache.fgsm_curve(compare) if compare is not None else None
        if other is not None:
            curves[labels[compare]] = other
            compared = next(s for s in others if s.id == compare)
    if not any(defence.adversarial_epsilon(s.card) for s in others) and not defence.adversarial_epsilon(picked.card):
        defence.train_button(picked)
    return compared
