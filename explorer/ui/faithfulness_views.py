"""The Faithfulness page's pieces: the reading guide, deletion / insertion charts, the table of
scores against the two baselines, and the verdict in words."""

import pandas as pd
import streamlit as st

from explorer.decimals import fixed
from explorer.inspect import attribution, faithfulness, trust_charts
from explorer.ui import faithfulness_cache as fc
from explorer.ui import url_state

TITLES = [attribution.METHODS[m].title for m in fc.METHODS]


def reading_guide() -> None:
    """What each number and curve means, folded away."""
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


def drawn(curves: dict, show_random: bool) -> dict:
    """The curves to draw: every method and the random order, the random-weights ones on request."""
    keep = TITLES + [fc.RANDOM_ORDER] + ([fc.random_label(m) for m in fc.METHODS] if show_random else [])
    return {k: curves[k] for k in keep}


def charts(res: fc.Faithful, title: str, show_random: bool) -> None:
    """Deletion and insertion curves side by side."""
    dashed = [fc.RANDOM_ORDER] + [fc.random_label(m) for m in fc.METHODS]
    shown = drawn(res.curves, show_random)
    steps = faithfulness.fractions()
    a, b = st.columns(2)
    deletion = trust_charts.pixel_curves(steps, {k: c.deletion for k, c in shown.items()},
                                         f"Deletion{title}: P(class) as top pixels are removed", dashed)
    insertion = trust_charts.pixel_curves(steps, {k: c.insertion for k, c in shown.items()},
                                          f"Insertion{title}: P(class) as top pixels come back", dashed)
    a.altair_chart(url_state.readable(deletion), width="stretch")
    b.altair_chart(url_state.readable(insertion), width="stretch")


def table(res: fc.Faithful, extra: dict[str, dict] | None = None) -> pd.DataFrame:
    """One row per method: its areas and score next to both baselines' scores (+ `extra` columns)."""
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
    """Which method ranks best, by how much it beats the baselines, and which do not."""
    best = df.sort_values("score ↑", ascending=False).iloc[0]
    margin_random = best["score ↑"] - best["random order score"]
    margin_weights = best["score ↑"] - best["random weights score"]
    beaten = [r["method"] for _, r in df.iterrows() if r["score ↑"] <= r["random order score"]]
    text = (f"{where}, **{best['method']}** ranks the pixels best (score {fixed(best['score ↑'], 2)}: "
            f"{fixed(margin_random, 2, '+')} against a random order, {fixed(margin_weights, 2, '+')} against its "
            "own map on the random-weights model).")
    if margin_random <= 0.02 or margin_weights <= 0.02:
        text += " That is barely better than a baseline: no map is convincing here."
    if beaten:
        text += f" No better than random: {', '.join(beaten)}."
    st.info(text)
