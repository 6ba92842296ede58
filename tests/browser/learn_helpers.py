"""Browser helpers for the Learn pages: open a page through the sidebar, move a slider, read TeX."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

from tests.browser.helpers import menu, open_page, wait_idle


def open_via_sidebar(page: Page, base_url: str, title: str, ready_text: str) -> None:
    """Start at Home (as a student does) and click the page in the sidebar."""
    open_page(page, base_url)
    menu(page).get_by_text(title, exact=True).click()
    wait_idle(page)
    page.get_by_text(ready_text, exact=True).first.wait_for()
    wait_idle(page)


def slider(page: Page, label: str) -> Locator:
    """The slider thumb whose label starts with `label`."""
    return page.locator(f'[data-testid="stSlider"] input[type="range"][aria-label^="{label}"]')


def nudge(page: Page, label: str, steps: int) -> None:
    """Move a slider by keyboard, like a student using the arrow keys."""
    thumb = slider(page, label)
    thumb.focus()
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowRight" if steps > 0 else "ArrowLeft")
    wait_idle(page)


def wait_tex(page: Page, snippet: str, timeout: float = 30_000) -> None:
    """Wait until a formula on the page holds `snippet` in its TeX source (KaTeX keeps the
    source in a hidden annotation element)."""
    page.wait_for_function(
        """(s) => Array.from(document.querySelectorAll('.katex-mathml annotation'))
                       .some(a => a.textContent.includes(s))""",
        arg=snippet, timeout=timeout,
    )


def image_src(page: Page, caption: str) -> str:
    img = page.get_by_test_id("stImage").filter(has_text=caption).locator("img")
    img.wait_for()
    return img.get_attribute("src")


def click_grid_cell(chart: Locator, row: int, col: int, cell: int) -> None:
    """Click the middle of cell (row, col) of a charts.grid chart drawn with `cell` pixels."""
    target = chart.locator("canvas, svg").first
    target.wait_for()
    target.click(position={"x": (col + 0.5) * cell, "y": (row + 0.5) * cell})
