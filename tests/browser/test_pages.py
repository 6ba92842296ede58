"""Every page in a real browser: it renders, shows no exception and no error box."""

from __future__ import annotations

import time
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from explorer.ui import navigation
from tests.browser.helpers import assert_no_errors, menu, open_page, wait_idle

ALL = [(p, t) for section in navigation.PAGES for p, t, _, _ in navigation.existing(section)]


def url_path(path: str) -> str:
    """Streamlit's URL for a page file: its stem, '' for the default page."""
    return "" if path == "pages/home.py" else path.removeprefix("pages/").removesuffix(".py")


def test_home_renders_fast(server, page):
    start = time.monotonic()
    open_page(page, server)
    page.get_by_role("heading", name="CNN Explorer").wait_for()
    seconds = time.monotonic() - start
    assert_no_errors(page)
    # The bar is 5 s; this bound only catches a page that hangs (times go to bench/).
    assert seconds < 30, f"Home took {seconds:.1f} s"
    assert page.get_by_text("Training runs on").is_visible()


@pytest.mark.parametrize("path,title", ALL, ids=[p for p, _ in ALL])
def test_every_page_renders_without_errors(server, page, path, title):
    open_page(page, server, url_path(path))
    assert_no_errors(page)
    nav = menu(page)
    for _, other in ALL:  # the menu is drawn by the app's run, a moment after the page's title
        expect(nav.get_by_text(other, exact=True)).to_have_count(1)


def test_navigation_between_pages(server, page):
    """Clicking the sidebar links switches page without a reload error."""
    open_page(page, server)
    for path, title in ALL[1:]:
        menu(page).get_by_text(title, exact=True).click()
        wait_idle(page)
        # The page's own settings may follow in the query (e.g. ?model=<id>): compare paths.
        page.wait_for_url(lambda url, want="/" + url_path(path): urlparse(url).path == want)
        assert_no_errors(page)


def test_shared_link_works_on_a_fresh_server(tmp_path, page):
    """A teacher's link to a page, opened before anyone visited Home, shows the app's
    navigation and that page (not the raw pages/ file names)."""
    from tests.browser.conftest import start_server, stop_server

    proc, url = start_server(tmp_path)
    try:
        open_page(page, url, "datasets")
        page.get_by_role("heading", name="Datasets").first.wait_for()
        nav = menu(page)
        assert nav.get_by_text("Home", exact=True).count() == 1
        assert nav.get_by_text("app", exact=True).count() == 0
        assert_no_errors(page)
    finally:
        stop_server(proc)
