"""Helpers for driving a Streamlit page in Playwright."""

from __future__ import annotations

from playwright.sync_api import Page, expect

ERROR_SELECTORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return false;
    const state = app.getAttribute('data-test-script-state');
    const conn = app.getAttribute('data-test-connection-state');
    return conn === 'CONNECTED' && ['notRunning', 'compilationError'].includes(state)
        && !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]');
}"""


def wait_idle(page: Page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script (twice, so a rerun that a click
    triggers a moment later is waited for too)."""
    page.wait_for_function(IDLE_JS, timeout=timeout)
    page.wait_for_timeout(200)
    page.wait_for_function(IDLE_JS, timeout=timeout)


def open_page(page: Page, base_url: str, url_path: str = "") -> None:
    """Load a page and wait for its script run to be drawn (every page has a title, so an
    h1 in the main area means the run's output arrived, not just the connection)."""
    page.goto(f"{base_url}/{url_path}")
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=60_000)
    wait_idle(page)


def assert_no_errors(page: Page) -> None:
    """No exception box and no error message anywhere on the page."""
    expect(page.locator(ERROR_SELECTORS)).to_have_count(0)


def wait_camera_ready(page: Page, timeout: float = 30_000) -> None:
    """Wait until st.camera_input's video shows frames (Chromium's fake camera needs a moment
    after permission; a Take Photo click before that captures nothing)."""
    page.wait_for_function(
        "() => { const v = document.querySelector('video');"
        " return v && v.readyState >= 2 && v.videoWidth > 0; }", timeout=timeout)
