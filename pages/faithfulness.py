"""Which explanation is faithful? Deletion and insertion curves for every attribution method, two
baselines, and Captum's infidelity and sensitivity_max, with a reading guide."""

import pandas as pd
import streamlit as st

from explorer.inspect import attribution, faithfulness, trust_charts
from explorer.ui import faithfulness_cache as fc
from explorer.ui import input_picker, ood_note, plain, streamlit_fixes, url_state

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

TITLES = [attribution.METHODS[m].title for m in fc.METHODS]

st.title("⚖️ Which explanation is faithful?")
st.write(
    "The Saliency page shows maps that disagree. Here they are put to a test: if a map really "
    "ranks the pixels the model relies on, then **deleting** its top pixels first should make the "
    "class probability fall fast, and **inserting** them first into a blank picture should make it "
    "rise fast. Every method is compared with a random order of the pixels and with its own map "
    "computed on the model with random weights: a map worth believing beats both."
)

picked, inp, probs, target = input_picker.explain_setup("faithfulness")
ood_note.note(picked, inp)

with st.expander("📖 How to read this page", expanded=False):
    st.markdown(
        "- **Deletion area** (lower is better): the mean probability while the map's most important "
        "pixels are removed one share at a time. A faithful map destroys the evidence early.\n"
        "- **Insertion area** (higher is better): the mean probability while the pixels come back in "
        "the map's order over a blank picture (black, or a blurred copy). A faithful map restores the "
        "evidence early.\n"
        "- **Score** = insertion area − deletion area: one number to rank the methods by.\n"
        "- **Random order** is what knowing nothing gives. A method no better than it tells you "
        "nothing about this prediction.\n"
        "- **Random weights**: the same method on the model with random weights ordering the *trained* "
        "model's pixels. If that does as well, the map follows the picture (edges, bright areas), "
        "not what the model learned.\n"
        "- **Infidelity** (Captum, lower is better): under small random noise, how far the map's "
        "predicted change of the probability is from the real one.\n"
        "- **Sensitivity** (Captum `sensitivity_max`, lower is steadier): how much the map changes, "
        "relative to its size, when the picture moves by at most 0.02 per pixel.\n\n"
        "Believe the map with the best score that clearly beats both baselines, and prefer a low "
        "infidelity and a steady map. One picture can mislead: check the average over test pictures."
    )

st.caption("Deleting or inserting pixels at random breaks ties between equal map values (Grad-CAM and "
           "Occlusion have flat patches); black is the baseline Integrated Gradients and Occlusion use, "
           f"and what their maps are measured against. Occlusion here uses a {dict(fc.occlusion_params(min(inp.array.shape[1:])))['window']}-pixel window.")

blank = st.segmented_control("Removed pixels become", list(faithfulness.BLANKS), format_func=faithfulness.BLANKS.get,
                             default="black", required=True, key="faithfulness_blank", bind=url_state.BIND,
                             help="Black is the baseline of Integrated Gradients and Occlusion; on a bright "
                                  "background any black pixels hurt, so a blurred copy (detail removed, "
                                  "brightness kept) asks more precisely which details the model needs.")
show_random = st.toggle("Show the random-weights curves", value=False, key="faithfulness_random_curves",
                        bind=url_state.BIND)
result = fc.one_picture(picked.id, inp.key, inp.array, target, blank)
steps = faithfulness.fractions()


def drawn(curves: dict) -> dict:
    keep = TITLES + [fc.RANDOM_ORDER] + ([fc.random_label(m) for m in fc.METHODS] if show_random else [])
    return {k: curves[k] for k in keep}


def charts(res: fc.Faithful, title: str) -> None:
    dashed = [fc.RANDOM_ORDER] + [fc.random_label(m) for m in fc.METHODS]
    shown = drawn(res.curves)
    a, b = st.columns(2)
    a.altair_chart(trust_charts.pixel_curves(steps, {k: c.deletion for k, c in shown.items()},
                                             f"Deletion{title}: P(class) as top pixels are removed", dashed),
                   width="stretch")
    b.altair_chart(trust_charts.pixel_curves(steps, {k: c.insertion for k, c in shown.items()},
                                             f"Insertion{title}: P(class) as top pixels come back", dashed),
                   width="stretch")


def table(res: fc.Faithful, extra: dict[str, dict] | None = None) -> pd.DataFrame:
    rand = res.curves[fc.RANDOM_ORDER]
    rows = []
    for m, title in zip(fc.METHODS, TITLES):
        c, r = res.curves[title], res.curves[fc.random_label(m)]
        row = {"method": title, "deletion area ↓": c.deletion_area, "insertion area ↑": c.insertion_area,
               "score ↑": c.score, "random order score": rand.score, "random weights score": r.score}
        for name, values in (extra or {}).items():
            row[name] = values[m]
        rows.append(row)
    return pd.DataFrame(rows)


def formats(df: pd.DataFrame) -> dict:
    """Three decimals; infidelity is a mean squared change of a probability (tiny numbers), so
    it is shown in scientific notation."""
    return {c: st.column_config.NumberColumn(format="%.2e" if c.startswith("infidelity") else "%.3f")
            for c in df.columns if c != "method"}


def verdict(df: pd.DataFrame, where: str) -> None:
    best = df.sort_values("score ↑", ascending=False).iloc[0]
    margin_random = best["score ↑"] - best["random order score"]
    margin_weights = best["score ↑"] - best["random weights score"]
    beaten = [r["method"] for _, r in df.iterrows() if r["score ↑"] <= r["random order score"]]
    text = (f"{where}, **{best['method']}** ranks the pixels best (score {best['score ↑']:.2f}: "
            f"{margin_random:+.2f} against a random order, {margin_weights:+.2f} against its own map on the "
            "random-weights model).")
    if margin_random <= 0.02 or margin_weights <= 0.02:
        text += " That is barely better than a baseline: no map is convincing here."
    if beaten:
        text += f" No better than random: {', '.join(beaten)}."
    st.info(text)


st.subheader(f"This picture, class “{plain.md(picked.classes[target])}”")
charts(result, "")
extra = {"infidelity ↓": fc.infidelities(picked.id, inp.key, inp.array, target)}
if st.toggle("Also compute sensitivity (each map 5 more times, slower)", value=False,
             key="faithfulness_sensitivity", bind=url_state.BIND):
    extra["sensitivity ↓"] = fc.sensitivities(picked.id, inp.key, inp.array, target)
df = table(result, extra)
st.dataframe(df, hide_index=True, width="stretch", column_config=formats(df))
verdict(df, "On this picture")

st.subheader("Averaged over test pictures")
n = st.slider("Test pictures", 4, 64, 16, 4, key="faithfulness_sample", bind=url_state.BIND,
              help="Spread evenly over the test split; each explained for the class the model predicts.")
if st.toggle("Compute the average over the test pictures", value=False, key="faithfulness_average",
             bind=url_state.BIND):
    averaged = fc.test_sample(picked.id, int(n), blank)
    if averaged is None:
        st.info("The model's test pictures are not on this machine.")
    else:
        charts(averaged, f" (mean of {averaged.pictures})")
        df_avg = table(averaged)
        st.dataframe(df_avg, hide_index=True, width="stretch", column_config=formats(df_avg))
        verdict(df_avg, f"Over {averaged.pictures} test pictures")
else:
    st.caption("Turn this on to rank the methods over many pictures (each one takes every method twice).")
