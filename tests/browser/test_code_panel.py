""""Show the code" in Chromium: the panel opens under the Convolution page's result, its two
downloads arrive as files, and the downloaded script prints the output size the page shows."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.browser.helpers import assert_no_errors, wait_idle
from tests.browser.learn_helpers import nudge, open_via_sidebar
from tests.codegen_helpers import run_script, shape


def test_downloaded_script_and_notebook_match_the_page(server, page, tmp_path):
    open_via_sidebar(page, server, "Convolution", "3. Stride, padding, dilation → output size")
    nudge(page, "Stride", 2)
    expect(page.get_by_text("Output 85x85")).to_be_visible()
    page.get_by_text("Show the code").click()
    wait_idle(page)
    with page.expect_download() as got:
        page.get_by_role("button", name="Python script (.py)").click()
    script = tmp_path / got.value.suggested_filename
    got.value.save_as(script)
    with page.expect_download() as got:
        page.get_by_role("button", name="Notebook (.ipynb)").click()
    notebook = json.loads(got.value.path().read_text())
    assert script.name == "convolution.py" and notebook["nbformat"] == 4
    code = script.read_text()
    assert "stride=3" in code
    assert "stride=3" in "".join("".join(c["source"]) for c in notebook["cells"])
    assert shape(run_script(code, tmp_path), "output shape") == (85, 85)
    assert_no_errors(page)
