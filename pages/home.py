"""Home: what CNN Explorer teaches, where to start, and what this machine offers."""

import streamlit as st

from explorer.ui import data_widgets, lessons, navigation, sidebar, streamlit_fixes

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("🧠 CNN Explorer")
st.markdown(
    "Learn how **convolutional neural networks** work by touching them: slide a kernel over "
    "a real photo, train a small CNN on photos of hands showing digits, then open the "
    "trained network up and see what it looks at."
)

SECTIONS = {
    "Learn": "Convolution and pooling on real pictures: stride, padding, kernels, receptive "
             "fields; 1-D convolution; the classical architectures from LeNet-5 to ResNet.",
    "Train": "The datasets, a CNN trained live on this machine, and the same data with SVM, "
             "kNN, logistic regression, random forests and a plain MLP for comparison.",
    "Inspect": "A trained model's filters, feature maps, the images that excite each channel "
               "most, occlusion maps and gradient saliency, on your own photo too; then whether "
               "to trust it: how easily it is fooled, which explanation is faithful, and whether it "
               "knows when it doesn't know.",
}
cols = st.columns(len(SECTIONS))
for col, (section, text) in zip(cols, SECTIONS.items()):
    with col:
        st.subheader(section)
        st.write(text)
        pages = navigation.existing(section)
        for path, *_ in pages:
            navigation.link(path)
        if not pages:
            st.caption("Coming soon.")

first = navigation.existing("Learn")
if first:
    st.info(f"New here? Start with **{first[0][1]}** under Learn, then train a model.")

if st.toggle("🎥 Live camera: sign at the camera and watch the CNN read it", key="home_live"):
    # Imported only now: it brings PyTorch and Captum (seconds on a fresh server), which Home
    # without the camera does not need.
    from explorer.ui import live_camera

    live_camera.home_panel()
st.divider()
st.subheader("🎓 Lessons: prepared views for class")
st.caption("Each opens a page with its settings ready. Every page keeps its settings in the "
           "address: copy the link (sidebar) to share exactly what you see.")
lessons.cards()
st.divider()
st.subheader("This machine")
sidebar.device_text("Training runs on: **{}**")
for row in data_widgets.status_rows():
    mark = "✅" if row["Status"] == "ready" else "⬇️"
    st.markdown(f"{mark} **{row['Dataset']}**: {row['Status']}  \n<small>`{row['Source']}`</small>",
                unsafe_allow_html=True)
if not data_widgets.sign_digits_ready():
    st.caption(
        "Sign Language Digits is downloaded once, when you ask for it. Offline? Put the zip in "
        "the data/ folder or set CNN_EXPLORER_SIGN_DIGITS; the bundled digits work meanwhile."
    )
    data_widgets.download_button(key="home_download")
