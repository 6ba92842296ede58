"""Dataset widgets shared by pages: availability, the one-click download, the picker."""

from __future__ import annotations

import io

import streamlit as st

from explorer import limits
from explorer.data import datasets, signdigits
from explorer.ui import cached, url_state

USER_KEY = "user_dataset"  # session_state: this person's uploaded dataset (never shared)
SOURCES = {
    "sign-digits": "Sign Language Digits (photos of hands)",
    "digits": "Handwritten digits (bundled, 8x8)",
    "upload": "Your own zip of class folders",
}


def sign_digits_ready() -> bool:
    return datasets.available()["sign-digits"] is not None


def download_button(key: str) -> None:
    """Offer the one-time download of Sign Language Digits, with a progress bar.

    On failure the reason and the offline alternative are shown; the page keeps working.
    """
    if not st.button("Download Sign Language Digits (about 17 MB, once)", key=key):
        return
    bar = st.progress(0.0, text="Connecting…")

    def progress(done: int, total: int | None) -> None:
        frac = min(done / total, 1.0) if total else 0.0
        size = f" of {total / 2**20:.1f}" if total else ""
        bar.progress(frac, text=f"Downloaded {done / 2**20:.1f}{size} MB")

    try:
        datasets.load("sign-digits", progress=progress)
    except datasets.DatasetError as exc:
        bar.empty()
        st.error(str(exc))
        return
    bar.empty()
    st.success("Sign Language Digits is ready.")
    st.rerun()


def picker(key: str, allow_upload: bool = True, fallback: bool = True) -> datasets.Dataset | None:
    """Choose a dataset; returns it. While the chosen one is unavailable (no zip yet, Sign
    Language Digits not downloaded): the bundled digits, said so, or None when `fallback` is
    False (the Train page: it never trains on data the student did not pick, issue #14).

    A zip uploaded earlier in this session (on any page) is preselected and named: it was
    invisible on Train after the Datasets page."""
    options = list(SOURCES) if allow_upload else ["sign-digits", "digits"]
    default = 0 if sign_digits_ready() else 1
    if allow_upload and st.session_state.get(USER_KEY):
        default = options.index("upload")
    choice = st.radio("Dataset", options, index=default, key=key, format_func=SOURCES.get, horizontal=True,
                      bind=url_state.BIND, help="The pictures to learn from. Your own zip needs one folder "
                      "per class with at least 5 pictures each; it stays in your session only.")
    if choice == "upload":
        ds = _uploaded(key)
        if ds is not None:
            return ds
        if not fallback:
            return None
        st.info("Until a zip is loaded, the bundled handwritten digits are shown.")
    elif choice == "sign-digits":
        try:
            return cached.dataset("sign-digits")
        except datasets.DatasetError as exc:
            st.warning(str(exc))
            download_button(key=f"{key}_download")
            if not fallback:
                return None
            st.info("Meanwhile the bundled handwritten digits are shown.")
    return cached.dataset("digits")


def _uploaded(key: str) -> datasets.Dataset | None:
    """The zip this person uploaded, validated once per file and kept in their session only."""
    up = st.file_uploader(
        "A zip with one folder per class (e.g. cats/..., dogs/...), at least 5 images each",
        type=["zip"], key=f"{key}_zip",
    )
    st.caption(limits.zip_caption())
    stored = st.session_state.get(USER_KEY)
    if up is None:
        if stored:
            ds = stored[1]
            st.success(f"Using your zip **{ds.name}** ({len(ds):,} images, {len(ds.classes)} classes: "
                       f"{', '.join(ds.classes[:8])}{', …' if len(ds.classes) > 8 else ''}), uploaded "
                       "earlier in this session. Drop another zip above to replace it.")
        return stored[1] if stored else None
    if stored and stored[0] == up.file_id:
        return stored[1]
    try:
        with st.spinner("Checking and decoding your images…"):
            ds = datasets.from_zip(_named_bytes(up.getvalue(), up.name))
    except datasets.DatasetError as exc:
        st.error(f"This zip cannot be used: {exc}")
        return None
    st.session_state[USER_KEY] = (up.file_id, datasets.freeze(ds))
    return ds


def _named_bytes(data: bytes, name: str) -> io.BytesIO:
    buf = io.BytesIO(data)
    buf.name = name
    return buf


def status_rows() -> list[dict]:
    """One row per built-in dataset for a table: name, status, where it comes from (never a
    path on the server)."""
    found = datasets.available()
    rows = []
    for name in datasets.NAMES:
        src = found[name]
        rows.append({
            "Dataset": datasets.TITLES[name],
            "Status": "ready" if src else "not downloaded yet",
            # Never the server's own path (a student has no business knowing the folder
            # layout of the classroom server): "here" or the public download address.
            "Source": ("a copy on this server" if src and name == "sign-digits" else src) or signdigits.url(),
        })
    return rows


def class_counts(ds: datasets.Dataset) -> None:
    """A horizontal bar per class: how many images it has (Vega-Lite, so presenter mode's 18 px
    axis texts reach it; st.bar_chart takes no chart config and stayed at 12 px)."""
    spec = {
        "data": {"values": [{"class": c, "images": n} for c, n in ds.counts().items()]},
        # A row per class tall enough for its name: at 18 px Vega hid every other one in 20 px rows.
        "height": {"step": url_state.cell(20)},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {"y": {"field": "class", "type": "nominal", "sort": None, "title": None},
                     "x": {"field": "images", "type": "quantitative", "title": "images"}},
    }
    st.vega_lite_chart(spec=url_state.readable(spec), width="stretch", key="datasets_class_counts")
