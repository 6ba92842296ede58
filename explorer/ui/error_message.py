"""What a student reads when a page fails after all.

With `client.showErrorDetails = "none"` Streamlit replaces an uncaught exception by a generic
sentence about data leaks, logs and "Streamlit Cloud ... Manage app" (and, on localhost,
links asking Google or ChatGPT: `client.showErrorLinks = false` in .streamlit/config.toml).
None of that tells a student in a classroom what to do, so the sentence is replaced by one
that does. The details still go to the server's log.
"""

from __future__ import annotations

MESSAGE = (
    "Something went wrong on this page; the details were written to the server's log. "
    "Undo your last change, or open the page again from the menu on the left to start from "
    "its usual settings. If it happens again, tell your teacher which clicks led here."
)


def install() -> None:
    """Put MESSAGE where Streamlit 1.67 reads its redacted-error text (read at each failure)."""
    try:
        from streamlit.elements import exception
    except ImportError:  # a Streamlit without this module: its own text stays
        return
    if hasattr(exception, "_GENERIC_UNCAUGHT_EXCEPTION_TEXT"):
        exception._GENERIC_UNCAUGHT_EXCEPTION_TEXT = MESSAGE
