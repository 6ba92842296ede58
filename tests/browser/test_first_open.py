"""Browser: the first student to open an explanation page with the course's CNN. Its
out-of-distribution statistics (the features of all 2,062 pictures) take seconds the first time;
the occlusion map needs none of them and is drawn first; then the note's place, above the patch's
settings, says the check is running until its verdict replaces it (explorer/ui/ood_note.placed)."""

from __future__ import annotations

from explorer.ui import ood_note
from tests.browser.conftest import start_server, stop_server
from tests.browser.helpers import assert_no_errors
from tests.inspect_helpers import COURSE_CNN, save_untrained


def test_the_occlusion_map_is_drawn_before_the_first_ood_check_of_a_model(browser, sign_digits_archive, tmp_path):
    saved = save_untrained(COURSE_CNN, "course cnn", tmp_path / "models")
    proc, url = start_server(tmp_path, {"CNN_EXPLORER_SIGN_DIGITS": str(sign_digits_archive)})
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{url}/occlusion?model={saved.id}")
        main = page.locator('[data-testid="stMain"]')
        # Before: no such line, the page computed the statistics before drawing anything below the note.
        main.get_by_text(ood_note.CHECKING).wait_for(timeout=180_000)
        assert main.get_by_text("The same map over the picture").is_visible()  # drawn while the check runs
        checking = main.get_by_text(ood_note.CHECKING).bounding_box()
        window = main.get_by_text("Window (pixels)").bounding_box()
        assert checking["y"] < window["y"]  # its own place, above the patch's settings
        assert_no_errors(page)
    finally:
        context.close()
        stop_server(proc)
