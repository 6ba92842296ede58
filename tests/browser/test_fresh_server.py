"""Browser: a freshly started server. A shared link as its very first request opens the page
inside the app (the menu, presenter switch, page title), not the page file alone
(explorer/ui/streamlit_fixes.py, repair 1); and the sidebar never lists the pages/ folder's raw
file names ("building blocks") before the app's menu is drawn (issue #14)."""

from __future__ import annotations

from playwright.sync_api import expect

from explorer.launch.paths import ROOT
from explorer.ui.navigation import PAGES
from tests.browser.conftest import start_server, stop_server
from tests.browser.helpers import assert_no_errors, menu, open_page

# From the first paint on, every text the sidebar shows is recorded (a MutationObserver set up
# before the app's own scripts run), so a list drawn and replaced within one frame counts too.
RECORD_SIDEBAR = """
window.__sidebarTexts = new Set();
const record = () => {
  for (const el of document.querySelectorAll('[data-testid="stSidebar"] a, [data-testid="stSidebar"] span')) {
    const t = (el.textContent || '').trim();
    if (t) window.__sidebarTexts.add(t);
  }
};
new MutationObserver(record).observe(document, {childList: true, subtree: true, characterData: true});
"""


def raw_names() -> set[str]:
    """What Streamlit's list of the pages/ folder calls the pages: file names, with spaces for
    underscores. Titles the app gives a page ("Pooling") are not raw names."""
    titles = {title for rows in PAGES.values() for _, title, _, _ in rows}
    stems = {p.stem for p in (ROOT / "pages").glob("*.py")} | {"app"}
    return {n for stem in stems for n in (stem, stem.replace("_", " "))} - titles


def sidebar_texts(page) -> set[str]:
    return set(page.evaluate("() => [...window.__sidebarTexts]"))


def test_a_link_opened_first_on_a_fresh_server_gets_the_whole_app(browser, tmp_path):
    proc, url = start_server(tmp_path)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.add_init_script(RECORD_SIDEBAR)
        open_page(page, url, "pooling?pooling_size=3")
        expect(page.locator('[data-testid="stMain"] h1').first).to_contain_text("Pooling")
        nav = menu(page)
        expect(nav.get_by_text("Convolution", exact=False).first).to_be_visible()
        expect(nav.get_by_text("Saliency", exact=False).first).to_be_visible()
        expect(page.get_by_text("Presenter mode", exact=False).first).to_be_visible()
        expect(page).to_have_title("CNN Explorer")  # app.py's page config, not a page file's own
        assert "pooling_size=3" in page.url  # the link's setting survived the switch
        assert not sidebar_texts(page) & raw_names(), sorted(sidebar_texts(page) & raw_names())
        assert_no_errors(page)
    finally:
        context.close()
        stop_server(proc)


def test_a_cold_start_shows_the_menu_and_never_raw_file_names(browser, tmp_path):
    """Issue #14: on a fresh server Streamlit listed pages/ by file name until the app's
    navigation arrived ('building blocks', 'max activations', 'app' flashed in the sidebar).
    The first request is the Fooling page, which lacked the repair: it showed no sidebar at all
    (and the README screenshot waited for the sidebar's device line in vain)."""
    proc, url = start_server(tmp_path)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.add_init_script(RECORD_SIDEBAR)
        open_page(page, url, "fooling")
        expect(menu(page).get_by_text("Maximal activations", exact=True)).to_be_visible()
        expect(page.get_by_test_id("stSidebar").get_by_text("Training device:", exact=False)).to_be_visible()
        seen = sidebar_texts(page)
        assert "Maximal activations" in seen  # the recorder saw the menu itself
        assert not seen & raw_names(), sorted(seen & raw_names())
        assert_no_errors(page)
    finally:
        context.close()
        stop_server(proc)
