"""CNN vs classical ML: the course's baselines and the saved CNNs on the same test split."""

import streamlit as st

from explorer.compare import baselines, comparison
from explorer.data import datasets
from explorer.data.types import Split
from explorer.server import jobs
from explorer.ui import code_panel, data_widgets, navigation, plain, streamlit_fixes, url_state
from explorer.ui import comparison_widgets as cw

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("⚖️ CNN vs classical ML")
st.write(
    "Why use a convolutional network at all? Here the course's classical models and a plain "
    "fully connected network learn from the **same training images** and are scored on the "
    "**same test images** as the CNNs you saved. They all see the pixels as one long row of "
    "numbers in [0, 1] (a 64x64 photo becomes 4,096 numbers); only the CNN knows which pixels "
    "are neighbours."
)

ds = data_widgets.picker("baselines_source")
with st.expander("Split (the course's: 20% test, random_state 8)"):
    c1, c2 = st.columns(2)
    test_size = c1.slider("Test share", 0.1, 0.5, 0.2, 0.05, key="baselines_test_size", bind=url_state.BIND)
    random_state = int(c2.number_input("random_state", 0, 10_000, 8, key="baselines_random_state", bind=url_state.BIND))
    st.caption("CNNs appear below only if they were trained with this same split.")
split = Split(test_size, random_state)
train, test = datasets.split(ds, split)
key = comparison.split_key(ds, split)
cnns = cw.saved_cnns(ds, test, split)

names = st.multiselect("Models to train", baselines.NAMES, default=list(baselines.NAMES),
                       format_func=baselines.TITLES.get, key="baselines_models", bind=url_state.BIND)
with st.expander("Options used (the course's)"):
    cw.options_list()
    st.caption(f"Pixels in [0, 1], each image flattened: {train.images[0].size:,} numbers per image. "
               f"{len(train):,} training and {len(test):,} test images.")
code_panel.baselines(ds.name, split, names)
if cnns:
    st.caption(f"Saved models on this dataset and split: {', '.join(s.name for s in cnns)}.")
else:
    st.caption("No model trained on this dataset and split is saved yet: train one and save it, "
               "and it is measured here too.")
    navigation.link("pages/train.py")

have = cw.store().get(key)
missing = [n for n in names if n not in have]
missing_cnns = [s for s in cnns if f"cnn:{s.id}" not in have]
job = cw.my_job()
if job is not None and not job.is_finished:
    st.caption(f"Comparison on {plain.md(job.label)}")
    cw.progress_panel(job)
else:
    cw.finished_note(job)
    todo = len(missing) + len(missing_cnns)
    label = f"▶ Train and measure {todo} model(s)" if todo else "🔁 Measure again"
    if st.button(label, type="primary", key="baselines_run", disabled=not (names or cnns)):
        if not todo:  # everything is measured: measure it all again, rows replaced as they finish
            missing, missing_cnns = list(names), list(cnns)
        source = data_widgets.SOURCES.get(st.session_state["baselines_source"], ds.name)
        try:
            cw.start(train, test, missing, missing_cnns, key,
                     f"{source}, test share {test_size:.0%}, random_state {random_state}")
            st.rerun()
        except jobs.JobRefused as exc:
            st.warning(str(exc))

wanted = set(names) | {f"cnn:{s.id}" for s in cnns}  # a deleted model's row is not shown
shown = comparison.order({n: r for n, r in have.items() if n in wanted})
if shown:
    st.subheader("Results")
    cw.results(shown, ds.name.split(":")[0])
elif job is not None and not job.is_finished:
    st.info("Each model's result appears here as soon as it finishes.")
else:
    st.info("Nothing measured on this dataset and split yet: press the button above. On Sign "
            "Language Digits the whole run takes a few minutes on a CPU (the fully connected network "
            "trains for the course's 50 epochs).")
