"""The app's pages by section; a page is listed only when its file exists.

The sidebar menu is drawn here with st.page_link, not by st.navigation: until the first
st.navigation call of a freshly started server, Streamlit lists the pages/ folder by file name
("building blocks", "max activations"), and that list flashed in the sidebar on a cold start
(issue #14). `client.showSidebarNavigation = false` hides Streamlit's own list, and with it
that flash; this menu carries the titles and sections from the app's first run on.
"""

from __future__ import annotations

import streamlit as st

from explorer.launch.paths import ROOT

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


MENU_KEY = "app_menu"  # the menu's container: CSS class st-key-app_menu (tests find it by that)
# Streamlit's own list is compact; a column of page links has a 1 rem gap between elements.
MENU_CSS = f"""<style>
.st-key-{MENU_KEY} {{ gap: 0.1rem; }}
.st-key-{MENU_KEY} [data-testid="stCaptionContainer"] {{ margin-top: 0.6rem; font-weight: 600; }}
</style>"""


def menu() -> None:
    """The app's pages by section as links (call inside st.sidebar, after st.navigation)."""
    with st.container(key=MENU_KEY):
        st.html(MENU_CSS)
        for section in PAGES:
            rows = existing(section)
            if rows and section:
                st.caption(section)
            for path, title, icon, _ in rows:
                st.page_link(path, label=title, icon=icon)


def link(path: str) -> None:
    """A link to a page if it exists (pages call this instead of hard-coding st.page_link)."""
    for section in PAGES:
        for p, title, icon, _ in existing(section):
            if p == path:
                st.page_link(p, label=title, icon=icon)
                return
