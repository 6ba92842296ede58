"""Fooling the CNN: FGSM and PGD (captum.robust) on one picture, accuracy against epsilon over the
test split, and the defence (adversarial training) side by side."""

import numpy as np
import streamlit as st

from explorer.inspect import heatmaps, trust_charts
from explorer.pictures import colormaps
from explorer.ui import (
    attribution_cache,
    defence,
    input_picker,
    model_picker,
    ood_note,
    plain,
    streamlit_fixes,
    trust_cache,
    url_state,
)

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

SIDE = 220
ATTACKS = {"fgsm": "FGSM", "pgd": "PGD"}
ANY = -1

st.title("🎭 Fooling the CNN")
st.write(
    "Change every pixel by a tiny amount, in exactly the direction that hurts the model most, and "
    "watch a confident answer flip. The direction is the sign of the loss's gradient with respect "
    "to the pixels (FGSM); PGD takes several smaller such steps. Both come from Captum's "
    "`captum.robust`. ε is how far each pixel may move, on a scale where black is 0 and white is 1."
)

picked = model_picker.model_picker("fooling")
if picked is None:
    st.stop()
left, right = st.columns([1, 1], gap="large")
with left:
    inp = input_picker.input_picker("fooling", picked)
if inp is None:
    st.stop()
with right:
    probs = input_picker.show_input(picked, inp)
    ood_note.note(picked, inp)
said = int(np.argmax(probs))
truth = inp.true_class if inp.true_class is not None else said

st.subheader("Attack this picture")
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
targeted = goal != ANY
if targeted and goal == said:
    st.info(f"The model already says {plain.md(picked.classes[goal])}: choose another class to aim for.")
target = goal if targeted else truth

result = trust_cache.attacked(picked.id, inp.key, inp.array, kind, float(epsilon), int(target), targeted,
                              int(steps) if kind == "pgd" else 0)
after = int(result.after.argmax())
pert = result.perturbation
amplified = colormaps.diverging(pert.mean(0), max(epsilon, 1e-6))

a, b, c = st.columns(3)
a.image(input_picker.big(result.original, SIDE), width="stretch", output_format="PNG",
        caption=f"Original: {plain.md(picked.classes[said])} ({result.before[said]:.0%})")
b.image(input_picker.big_rgb(amplified, SIDE), width="stretch", output_format="PNG",
        caption=f"The change, amplified: red = brighter, blue = darker, by up to ε = {epsilon:.3f}")
c.image(input_picker.big(result.fooled, SIDE), width="stretch", output_format="PNG",
        caption=f"Fooled: {plain.md(picked.classes[after])} ({result.after[after]:.0%})")

if epsilon == 0:
    st.info("With ε = 0 nothing changes: move the slider.")
elif result.succeeded:
    aim = f"says **{plain.md(picked.classes[goal])}**" if targeted else f"now says **{plain.md(picked.classes[after])}**"
    st.success(f"🎭 Fooled: the model {aim} ({result.after[after]:.0%}) after every pixel moved by at most "
               f"{epsilon:.3f} (mean change {np.abs(pert).mean():.3f}).")
else:
    aim = f"say {plain.md(picked.classes[goal])}" if targeted else "change its answer"
    st.warning(f"Not fooled yet: the model did not {aim} (it says {plain.md(picked.classes[after])}, "
               f"{result.after[after]:.0%}). Try a larger ε{' or PGD' if kind == 'fgsm' else ' or more steps'}.")

p1, p2 = st.columns(2)
p1.markdown("**Before**")
p1.altair_chart(input_picker.probability_chart(result.before, picked.classes, said), width="stretch")
p2.markdown("**After**")
p2.altair_chart(input_picker.probability_chart(result.after, picked.classes, after), width="stretch")

st.subheader("Where does the model look, before and after?")
st.caption("Saliency (|gradient| of the class it says) on both pictures: the change is invisible to "
           "us, yet the map can move.")
key_after = f"{inp.key}:fooled:{kind}:{epsilon}:{target}:{targeted}:{steps}"
s1, s2 = st.columns(2)
for col, arr, key, cls, what in ((s1, result.original, inp.key, said, "original"),
                                 (s2, result.fooled, key_after, after, "fooled")):
    amap = attribution_cache.attribution_map(picked.id, False, key, arr, cls, "saliency")
    norm = heatmaps.normalise(amap, "absolute_value", 2.0)
    col.image(input_picker.big_rgb(heatmaps.overlay(arr, norm, 0.7), SIDE), output_format="PNG",
              caption=f"Saliency of “{plain.md(picked.classes[cls])}” on the {what} picture")

st.subheader("How easily is the whole test split fooled?")
curve = trust_cache.fgsm_curve(picked.id)
if curve is None:
    st.info("The model's test pictures are not on this machine, so there is no curve.")
    st.stop()
others = defence.comparable(picked)
curves = {defence.describe(picked.card) + " · chosen": curve}
st.write(
    f"FGSM on all {curve.pictures} test pictures, at {len(curve.epsilons)} values of ε. At ε = 0 this is the "
    f"plain test accuracy ({curve.accuracies[0]:.0%}); at ε = {curve.epsilons[-1]:g} it is "
    f"{curve.accuracies[-1]:.0%}."
)
st.markdown("**🛡️ The defence: adversarial training.** Train the same net with half of every batch replaced "
            "by its FGSM pictures (Train page: *Adversarial training*), then compare the curves.")
compare = compared = None
if others:
    ids = [s.id for s in others]
    labels = {s.id: defence.label(s) for s in others}
    compare = st.selectbox("Compare with", [None, *ids], index=1,
                           format_func=lambda i: "nothing" if i is None else labels[i], key="fooling_compare")
    if compare is not None:
        other = trust_cache.fgsm_curve(compare)
        if other is not None:
            curves[labels[compare]] = other
            compared = next(s for s in others if s.id == compare)
if not any(defence.adversarial_epsilon(s.card) for s in others) and not defence.adversarial_epsilon(picked.card):
    defence.train_button(picked)

chart_col, table_col = st.columns([3, 2])
chart_col.altair_chart(trust_charts.epsilon_curves(curves), width="stretch")
columns = [f"chosen: {defence.short(picked.card)}"] + ([f"compared: {defence.short(compared.card)}"] if compared else [])
table_col.dataframe({"ε": [f"{e:g}" for e in curve.epsilons],
                     **{col: [f"{a:.1%}" for a in c.accuracies] for col, c in zip(columns, curves.values())}},
                    hide_index=True, width="stretch")
