"""An app process lets its threads take turns for the GIL every millisecond (explorer/server/
switching.py): a student's page run gives the GIL up ~100 times per run and, with trainings and
other runs busy, waited up to 5 ms to get it back each time."""

from __future__ import annotations

import sys

from explorer.server import switching
from tests.page_helpers import open_page


def test_the_app_shortens_the_gil_switch_interval():
    sys.setswitchinterval(0.005)  # Python's default, as a fresh server starts
    try:
        open_page("pages/home.py")
        assert sys.getswitchinterval() == switching.SWITCH_INTERVAL_S == 0.001
    finally:
        sys.setswitchinterval(0.005)
