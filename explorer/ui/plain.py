"""Text people typed or brought (model names, class names from zip folders, dataset names, a
zip's file names) shown as plain text inside the app's Markdown.

Streamlit renders Markdown in st.markdown, captions, alerts, headers, image captions and
progress texts: a model named `![](http://tracker/p.png)` would show a picture from another
server (a tracking pixel) on every student's page, and `[prize](http://...)` a link. `md()`
backslash-escapes every ASCII punctuation character (CommonMark allows it for all of them), so
no image, link, emphasis, colour directive (`:red[…]`) or formula (`$…$`) can start, breaks
bare web addresses with an invisible character, and folds line breaks so no heading or list
can start either.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
# Streamlit's GitHub-flavoured Markdown turns bare addresses (www.x, http://x, a@x) into links
# after escapes are undone, so an invisible WORD JOINER (U+2060) goes before each . : and @: the
# text reads the same, no address pattern matches.
_JOIN = "\u2060"
_ADDRESS = re.compile(r"([.:@])")


def md(text: object) -> str:
    """`text` as Markdown that displays these characters (on one line), never as a link,
    picture or formatting."""
    one_line = " ".join(str(text).split())
    return _PUNCTUATION.sub(r"\\\1", _ADDRESS.sub(rf"{_JOIN}\1", one_line))


def shown(markdown: str) -> str:
    """What md() text reads as (without the word joiners), e.g. for comparing in tests."""
    return markdown.replace(_JOIN, "")


def md_list(items, sep: str = ", ") -> str:
    return sep.join(md(i) for i in items)
