"""The app's pages by section; a page is listed only when its file exists."""

from __future__ import annotations

import streamlit as st

from explorer.paths import ROOT

# (path, title, icon, default). Sections grow as pages are built and never link to
# something missing.
PAGES = {
    "": [("pages/home.py", "Home", "🏠", True)],
    "Learn": [
        ("pages/building_blocks.py", "Neurons, layers, ReLU, dropout", "🧠", False),
        ("pages/convolution.py", "Convolution", "🔲", False),
        ("pages/pooling.py", "Pooling", "🔽", False),
        ("pages/convolution_1d.py", "1-D convolution", "〰️", False),
        ("pages/architectures.py", "Architectures", "🏛️", False),
    ],
    "Train": [
        ("pages/datasets.py", "Datasets", "🗂️", False),
        ("pages/train.py", "Train a CNN", "🏋️", False),
        ("pages/models.py", "Saved models", "💾", False),
        ("pages/baselines.py", "CNN vs classical ML", "⚖️", False),
    ],
    "Inspect": [
        ("pages/filters.py", "Filters & feature maps", "🧩", False),
        ("pages/max_activations.py", "Maximal activations", "🔥", False),
        ("pages/occlusion.py", "Occlusion", "⬛", False),
        ("pages/saliency.py", "Saliency", "✨", False),
        ("pages/faithfulness.py", "Faithful explanations", "⚖️", False),
        ("pages/fooling.py", "Fooling the CNN", "🎭", False),
        ("pages/confidence.py", "Does it know?", "🤔", False),
    ],
}


def existing(section: str) -> list[tuple[str, str, str, bool]]:
    """The rows of a section whose page file exists."""
    return [row for row in PAGES[section] if (ROOT / row[0]).exists()]


def build() -> dict[str, list]:
    """st.Page objects for st.navigation, grouped by section, empty sections left out."""
    nav = {}
    for section in PAGES:
        pages = [st.Page(p, title=t, icon=i, default=d) for p, t, i, d in existing(section)]
        if pages:
            nav[section] = pages
    return nav


def link(path: str) -> None:
    """A link to a page if it exists (pages call this instead of hard-coding st.page_link)."""
    for section in PAGES:
        for p, title, icon, _ in existing(section):
            if p == path:
                st.page_link(p, label=title, icon=icon)
                return
