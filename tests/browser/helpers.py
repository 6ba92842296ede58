"""Helpers for driving a Streamlit page in Playwright."""

from __future__ import annotations

from playwright.sync_api import Page, expect

ERROR_SELECTORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def wait_idle(page: Page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script (no 'Running...' widget)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        """() => {
            const s = document.querySelector('[data-testid="stStatusWidget"]');
            return !s || !s.innerText.includes('Running');
        }""",
        timeout=timeout,
    )
    page.wait_for_timeout(150)
    page.wait_for_function(
        """() => {
            const s = document.querySelector('[data-testid="stStatusWidget"]');
            return !s || !s.innerText.includes('Running');
        }""",
        timeout=timeout,
    )


def open_page(page: Page, base_url: str, url_path: str = "") -> None:
    page.goto(f"{base_url}/{url_path}")
    wait_idle(page)


def assert_no_errors(page: Page) -> None:
    """No exception box and no error message anywhere on the page."""
    expect(page.locator(ERROR_SELECTORS)).to_have_count(0)
