"""What every AppTest page test needs: open the app on one page (optionally with settings in the
address, as a shared link does), check that nothing failed, and read what the page shows."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def ok(at: AppTest) -> None:
    """No exception and no error message on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def open_page(path: str, params: dict | None = None, timeout: float = 180) -> AppTest:
    """The app opened on `path` (e.g. "pages/pooling.py") through app.py's navigation, with
    `params` in the address; fails if the page shows an exception or an error."""
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    if params:
        at.query_params.update(params)
    at.switch_page(path).run()
    ok(at)
    return at


def texts(at: AppTest, kind: str) -> str:
    """Every element of one kind ("caption", "markdown", "warning", ...) joined into one string."""
    return " ".join(str(e.value) for e in getattr(at, kind))


def image_captions(at: AppTest) -> str:
    """The image elements' protobufs as text (captions included)."""
    return " ".join(str(img.proto) for img in at.get("image"))


def captions(at: AppTest) -> list[str]:
    """Every image caption on the page."""
    return [img.caption for el in at.get("image") for img in el.proto.imgs]


def number_grids(at: AppTest) -> list[tuple[int, int]]:
    """(width in px, digit size in px) of each number grid on the page (the Vega-Lite charts
    that write a number in every cell), in page order."""
    import json

    out = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        fonts = [layer["mark"].get("fontSize") for layer in spec.get("layer", [])
                 if isinstance(layer.get("mark"), dict) and layer["mark"].get("type") == "text"]
        if fonts and fonts[0]:
            out.append((spec["width"], fonts[0]))
    return out
