"""Which explanation is faithful? Deletion and insertion curves for every attribution method, two
baselines, and Captum's infidelity and sensitivity_max, with a reading guide."""

import streamlit as st

from explorer.inspect import faithfulness
from explorer.ui import faithfulness_cache as fc
from explorer.ui import faithfulness_views as fv
from explorer.ui import first_screen, input_picker, ood_note, plain, streamlit_fixes, tables, url_state

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("⚖️ Which explanation is faithful?")
st.write(
    "The Saliency page shows maps that disagree. Here they are put to a test: if a map really "
    "ranks the pixels the model relies on, then **deleting** its top pixels first should make the "
    "class probability fall fast, and **inserting** them first into a blank picture should make it "
    "rise fast. Every method is compared with a random order of the pixels and with its own map "
    "computed on the model with random weights: a map worth believing beats both."
)

picked, inp, probs, target = input_picker.explain_setup("faithfulness")
with ood_note.after(ood_note.placed(picked, inp)):  # this picture's curves first: see ood_note.placed
    fv.reading_guide()

    window = dict(fc.occlusion_params(min(inp.array.shape[1:])))["window"]
    st.caption("Deleting or inserting pixels at random breaks ties between equal map values (Grad-CAM and "
               "Occlusion have flat patches); black is the baseline Integrated Gradients and Occlusion use, "
               f"and what their maps are measured against. Occlusion here uses a {window}-pixel window.")

    blank = st.segmented_control("Removed pixels become", list(faithfulness.BLANKS),
                                 format_func=faithfulness.BLANKS.get, default="black", required=True,
                                 key="faithfulness_blank", bind=url_state.BIND,
                                 help="Black is the baseline of Integrated Gradients and Occlusion; on a bright "
                                      "background any black pixels hurt, so a blurred copy (detail removed, "
                                      "brightness kept) asks more precisely which details the model needs.")
    show_random = st.toggle("Show the random-weights curves", value=False, key="faithfulness_random_curves",
                            bind=url_state.BIND)
    result = fc.one_picture(picked.id, inp.key, inp.array, target, blank)

    st.subheader(f"This picture, class “{plain.md(picked.classes[target])}”")
    fv.charts(result, "", show_random)
    first_screen.drawn()
    extra = {"infidelity ↓": fc.infidelities(picked.id, inp.key, inp.array, target)}
    if st.toggle("Also compute sensitivity (each map 5 more times, slower)", value=False,
                 key="faithfulness_sensitivity", bind=url_state.BIND):
        extra["sensitivity ↓"] = fc.sensitivities(picked.id, inp.key, inp.array, target)
    df = fv.table(result, extra)
    tables.show(df, column_config=fv.formats(df))
    fv.verdict(df, "On this picture")

st.subheader("Averaged over test pictures")
n = st.slider("Test pictures", 4, 64, 16, 4, key="faithfulness_sample", bind=url_state.BIND,
              help="Spread evenly over the test split; each explained for the class the model predicts.")
if st.toggle("Compute the average over the test pictures", value=False, key="faithfulness_average",
             bind=url_state.BIND):
    averaged = fc.test_sample(picked.id, int(n), blank)
    if averaged is None:
        st.info("The model's test pictures are not on this machine.")
    else:
        fv.charts(averaged, f" (mean of {averaged.pictures})", show_random)
        df_avg = fv.table(averaged)
        tables.show(df_avg, column_config=fv.formats(df_avg))
        fv.verdict(df_avg, f"Over {averaged.pictures} test pictures")
else:
    st.caption("Turn this on to rank the methods over many pictures (each one takes every method twice).")
