"""explorer.ui.plain: user text inside the app's Markdown reads as typed and never becomes a
picture, a link or formatting (the browser test tests/browser/test_user_text.py shows it drawn)."""

from __future__ import annotations

import re

import pytest

from explorer.ui import plain

TRAPS = ["![](http://tracker.invalid/p.png)", "[prize](http://evil.invalid)", "www.evil.invalid",
         "http://evil.invalid", "a@evil.invalid", "**bold** _it_ `code`", ":red[alarm] :material/home:",
         "$x^2$", "# heading", "- item", "<img src=x>", "line\n\n# two"]


@pytest.mark.parametrize("text", TRAPS)
def test_every_markdown_character_is_escaped_and_addresses_broken(text):
    out = plain.md(text)
    assert "\n" not in out
    assert not re.search(r"(?<!\\)[!\[\]()*_`$#<>:-]", plain.shown(out).replace("\\\\", "")), out
    assert not re.search(r"www\.|https?:|\w@\w", out)  # the word joiner sits inside each address
    unescaped = re.sub(r"\\(.)", r"\1", plain.shown(out))
    assert unescaped == " ".join(text.split())  # reads exactly as typed


def test_plain_words_stay_as_they_are():
    assert plain.md("cats and dogs 2") == "cats and dogs 2"
    assert plain.md_list(["a", "b_c"]) == "a, b\\_c"
