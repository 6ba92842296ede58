"""Browser: a shared link as the very first request of a freshly started server opens the page
inside the app (sidebar navigation, presenter switch, page title), not the page file alone
(explorer/ui/streamlit_fixes.py, repair 1)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import start_server, stop_server
from tests.browser.helpers import assert_no_errors, open_page


def test_a_link_opened_first_on_a_fresh_server_gets_the_whole_app(browser, tmp_path):
    proc, url = start_server(tmp_path)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        open_page(page, url, "pooling?pooling_size=3")
        expect(page.locator('[data-testid="stMain"] h1').first).to_contain_text("Pooling")
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_text("Convolution", exact=False).first).to_be_visible()
        expect(nav.get_by_text("Saliency", exact=False).first).to_be_visible()
        expect(page.get_by_text("Presenter mode", exact=False).first).to_be_visible()
        expect(page).to_have_title("CNN Explorer")  # app.py's page config, not a page file's own
        assert "pooling_size=3" in page.url  # the link's setting survived the switch
        assert_no_errors(page)
    finally:
        context.close()
        stop_server(proc)
