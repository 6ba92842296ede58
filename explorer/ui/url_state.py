"""Settings in the address bar: a copied link reopens the same view elsewhere.

Most settings use Streamlit's own binding (`bind=url_state.BIND` on the widget): the widget
key is the parameter name, a value equal to the widget's default stays out of the address,
and a value that does not fit (not a number, out of range, not one of the options) is
dropped without an error. The few settings a widget binding cannot carry (the edited kernel
grid, the saved model of the Inspect pages, presenter mode) go through `incoming` and
`publish`, and every value they read is checked by a parse function here first.
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from explorer.learn import grid_charts

BIND = "query-params"
PRESENT = "present"  # ?present=1: presenter mode
PRESENT_KEY = "ui_present"  # session_state / widget key of the presenter toggle
PRESENT_MEMORY = "ui_present_on"  # plain session_state copy: survives st.switch_page
MAX_PARAM = 2000  # longer values are not settings anybody typed or copied
MAX_KERNEL_VALUE = 1000.0
_WRITTEN = "_url_written"  # session_state: {param: the value this app last put in the address}

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


# ---- parsing (plain functions, no Streamlit) ------------------------------------------------

def parse_flag(raw: str | None) -> bool | None:
    """'1'/'true'/'yes'/'on' -> True, '0'/'false'/'no'/'off' -> False, anything else None."""
    if not isinstance(raw, str) or len(raw) > 5:
        return None
    raw = raw.strip().lower()
    return True if raw in TRUE else False if raw in FALSE else None


def parse_choice(raw: str | None, allowed) -> str | None:
    """raw when it is exactly one of `allowed`, else None (no path, no prefix matching)."""
    return raw if isinstance(raw, str) and raw in set(allowed) else None


def encode_kernel(kernel: np.ndarray) -> str:
    """(k, k) weights -> '-1,0,1_-2,0,2_-1,0,1' (rows joined by '_', 4 significant digits)."""
    return "_".join(",".join(f"{float(v):.4g}" for v in row) for row in np.asarray(kernel))


def parse_kernel(raw: str | None, size: int) -> np.ndarray | None:
    """A (size, size) float64 kernel from `encode_kernel`'s text, or None if it is not one:
    wrong shape, not numbers, inf/nan, or weights beyond ±MAX_KERNEL_VALUE."""
    if not isinstance(raw, str) or not raw or len(raw) > MAX_PARAM:
        return None
    rows = raw.split("_")
    if len(rows) != size:
        return None
    try:
        grid = [[float(v) for v in row.split(",")] for row in rows]
    except ValueError:
        return None
    if any(len(row) != size for row in grid):
        return None
    if not all(math.isfinite(v) and abs(v) <= MAX_KERNEL_VALUE for row in grid for v in row):
        return None
    return np.array(grid, dtype=np.float64)


def usable(value, default) -> bool:
    """Whether a value read from the address can stand for a bound widget whose own default
    is `default`: no "nothing chosen" where the widget always has a choice (?pooling_mode=
    gave a required segmented control None, and the page a KeyError), no NaN or infinity, no
    text longer than MAX_PARAM."""
    if value is None or (isinstance(value, (list, tuple, str)) and len(value) == 0):
        return value == default
    if isinstance(value, float) and not math.isfinite(value):
        return False
    if isinstance(value, str) and len(value) > MAX_PARAM:
        return False
    if isinstance(value, (list, tuple)):
        return all(usable(v, None) for v in value)
    return True


# ---- parameters nobody reads ------------------------------------------------------------------

_READ = "_url_read"  # session_state: the hand-carried parameters read or written this run


def begin_run() -> None:
    """Called first by app.py on every full run."""
    st.session_state[_READ] = set()


def drop_unknown() -> None:
    """Called last by app.py on every full run: take out of the address every parameter that
    no widget of this page is bound to and no page code read (?utm_source=..., typos, old
    names), so junk does not travel in copied links."""
    try:
        from streamlit.runtime.state.session_state_proxy import get_session_state
    except ImportError:
        return
    read = st.session_state.get(_READ, set())
    with get_session_state().query_params() as qp:
        junk = [p for p in qp if not qp.is_bound(p) and p not in read]
    for param in junk:
        del st.query_params[param]


def _mark_read(param: str) -> None:
    st.session_state.setdefault(_READ, set()).add(param)


# ---- settings without a widget binding ------------------------------------------------------

def _written() -> dict:
    return st.session_state.setdefault(_WRITTEN, {})


def incoming(param: str) -> str | None:
    """The address's value of `param` when it came from outside (a shared link, a lesson
    preset, the Back button), None when it is absent or merely what `publish` wrote."""
    _mark_read(param)
    raw = st.query_params.get(param)
    if not isinstance(raw, str) or len(raw) > MAX_PARAM or raw == _written().get(param):
        return None
    _written()[param] = raw  # read once: from now on the app's own value wins
    return raw


def publish(param: str, value: str | None) -> None:
    """Put `value` in the address (None: take `param` out)."""
    _mark_read(param)
    if value is None:
        _written().pop(param, None)
        if param in st.query_params:
            del st.query_params[param]
        return
    _written()[param] = value
    if st.query_params.get(param) != value:
        st.query_params[param] = value


def forget(prefix: str) -> None:
    """Drop every setting whose key starts with prefix (a lesson preset starts from a clean
    page: bound widgets keep their value across page switches otherwise)."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[key]
    for param in [p for p in _written() if p.startswith(prefix)]:
        del _written()[param]


# ---- presenter mode -------------------------------------------------------------------------

def presenting() -> bool:
    """True in presenter mode: pages leave out secondary controls and explanations."""
    return bool(st.session_state.get(PRESENT_KEY, st.session_state.get(PRESENT_MEMORY, False)))


def secondary(label: str = "⚙️ More settings"):
    """Where a page puts controls a presenter rarely needs: folded into an expander in
    presenter mode. They are still drawn, so their values and the address stay as they are."""
    return st.expander(label) if presenting() else st.container()


def presenter_toggle() -> bool:
    """The sidebar switch, seeded from ?present=1 and written back to the address (the
    address loses it on a page switch; the session keeps it)."""
    shared = parse_flag(incoming(PRESENT))
    if shared is not None:
        st.session_state[PRESENT_KEY] = shared
    elif PRESENT_KEY not in st.session_state and st.session_state.get(PRESENT_MEMORY):
        # st.switch_page (a lesson's Open) drops widget states: the switch came back off on
        # the server while the browser still showed it on (issue #14). The session's own copy
        # puts it back.
        st.session_state[PRESENT_KEY] = True
    on = st.toggle("🎓 Presenter mode", key=PRESENT_KEY,
                   help="Bigger type and pictures, fewer controls: readable from the back of a room.")
    st.session_state[PRESENT_MEMORY] = on
    publish(PRESENT, "1" if on else None)
    if on:
        st.html(f"<style>{PRESENTER_CSS}</style>")
    return on


# Chart texts in presenter mode (Vega draws axis labels at 11-12 px). Set in the chart's own
# config, so Vega lays the chart out around them: CSS could only enlarge the drawn texts, and
# then legends overlapped and axis labels were cut off at the chart's edge.
PRESENTER_CHART = {"axis": {"labelFontSize": 18, "titleFontSize": 18},
                   "legend": {"labelFontSize": 18, "titleFontSize": 18, "labelLimit": 0},
                   "header": {"labelFontSize": 18, "titleFontSize": 18},
                   "title": {"fontSize": 20},
                   # Text marks that set no size of their own (a bar's value at its end); number
                   # grids size their digits by their cells (grid_charts.font_px) and keep them.
                   "text": {"fontSize": 18}}


PRESENTER_CELLS = 1.6  # number grids' cells and block diagrams in presenter mode: 18 px digits and labels


def zoom() -> float:
    """How much larger a fixed-size drawing (a number grid, a block diagram) is in presenter mode:
    PRESENTER_CELLS there, 1 on a laptop."""
    return PRESENTER_CELLS if presenting() else 1.0


def cell(px: int) -> int:
    """A number grid's fixed cell size in px, enlarged in presenter mode."""
    return round(px * zoom())


def cells(rule: grid_charts.CellRule) -> grid_charts.CellRule:
    """A number grid's cell rule, enlarged in presenter mode."""
    return grid_charts.CellRule(*map(cell, rule))


def readable(chart):
    """An Altair chart or a Vega-Lite spec (dict) as it is, or in presenter mode with every
    axis, legend and title text at 18 px or more."""
    if not presenting():
        return chart
    if isinstance(chart, dict):
        config = dict(chart.get("config", {}))
        for part, sizes in PRESENTER_CHART.items():
            config[part] = {**config.get(part, {}), **sizes}
        return {**chart, "config": config}
    return (chart.configure_axis(**PRESENTER_CHART["axis"]).configure_legend(**PRESENTER_CHART["legend"])
            .configure_header(**PRESENTER_CHART["header"]).configure_title(**PRESENTER_CHART["title"])
            .configure_text(**PRESENTER_CHART["text"]))


PRESENTER_CSS = """
[data-testid="stMain"] { font-size: 1.3rem; }
/* The visual first: less empty space above the title and a smaller title at 1280x720. */
[data-testid="stMain"] .block-container { max-width: 100%; padding: 3.5rem 2rem 2rem 2rem; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li,
[data-testid="stMain"] label p,
[data-testid="stMain"] [data-testid="stCaptionContainer"] { font-size: 1.3rem; }
[data-testid="stMain"] h1 { font-size: 2.8rem; padding-top: 0; }
/* The page's introduction (the paragraph under the title) is for reading alone: the teacher
   says it, and the screen keeps its room for the picture. */
[data-testid="stMain"] [data-testid="stElementContainer"]:has(h1) + [data-testid="stElementContainer"]:has([data-testid="stMarkdown"]) { display: none; }
[data-testid="stMain"] h2 { font-size: 2.3rem; }
[data-testid="stMain"] h3 { font-size: 1.9rem; }
[data-testid="stMain"] .katex { font-size: 1.6em; }
/* Every control readable from the back of the room (>= 18 px): the values inside select
   boxes, inputs, buttons, segmented controls, tabs, expanders and slider thumbs too. */
[data-testid="stMain"] [data-baseweb="select"] *,
[data-testid="stMain"] input, [data-testid="stMain"] textarea,
[data-testid="stMain"] button, [data-testid="stMain"] button p,
[data-testid="stMain"] summary, [data-testid="stMain"] summary p,
[data-testid="stMain"] [data-baseweb="tab"] p,
[data-testid="stMain"] [data-testid="stMetricLabel"] p,
[data-testid="stMain"] [data-testid="stMetricDelta"],
[data-testid="stMain"] [data-testid="stTickBarMin"], [data-testid="stMain"] [data-testid="stTickBarMax"],
[data-testid="stMain"] [data-testid="stImageCaption"],
[data-testid="stMain"] [data-testid="stFileUploaderDropzoneInstructions"] span,
[data-testid="stMain"] [data-testid="stFileUploaderDropzoneInstructions"] small,
[data-testid="stMain"] [data-testid="stMultiSelectTagsContainer"] span,
[data-testid="stMain"] [data-testid="stIconEmoji"],
[data-testid="stMain"] code { font-size: 1.2rem !important; }
/* Tables are plain HTML here (explorer/ui/tables.py): their text as large as the controls'. */
[data-testid="stMain"] [data-testid="stTable"] th, [data-testid="stMain"] [data-testid="stTable"] td,
[data-testid="stMain"] [data-testid="stTable"] td p, [data-testid="stMain"] [data-testid="stTable"] th p { font-size: 1.2rem; }
/* Metrics keep their size in narrow columns instead of shrinking. */
[data-testid="stMain"] [data-testid="stMetricValue"] { font-size: 2.6rem; }
[data-testid="stMain"] [data-testid="stMetricValue"] > div,
[data-testid="stMain"] [data-testid="stMetricValue"] p { font-size: inherit !important; }
/* A slider's value sits above its thumb, not on the track, at the larger size. */
[data-testid="stMain"] [data-testid="stSlider"] [data-baseweb="slider"] { margin-top: 1.3rem; }
[data-testid="stMain"] [data-testid="stSliderThumbValue"] { font-size: 1.2rem; }
/* A picture is never taller than most of the projected screen, so the controls that change it
   fit beside or under it. */
[data-testid="stMain"] [data-testid="stImage"] img { max-height: 60vh; object-fit: contain; object-position: left top; }
/* Segmented controls wrap instead of cutting off their last option ("Webcam"). */
[data-testid="stMain"] [data-testid="stButtonGroup"] > div { flex-wrap: wrap; }
"""


# ---- the link to this view ------------------------------------------------------------------

COPY_HTML = """
<button id="cnn-copy-link" type="button" data-copied=""
 style="width:100%;padding:0.4rem 0.6rem;border-radius:0.5rem;border:1px solid rgba(49,51,63,0.2);
        background:white;cursor:pointer;font:inherit;">🔗 Copy link to this view</button>
<script>
// One listener for the page's lifetime (the button is redrawn on every rerun). It copies the
// address bar at the moment of the click, so the link is never older than the view.
if (!window.cnnCopyLink) {
  window.cnnCopyLink = true;
  // "Link copied" holds only while the address is the one copied: a changed view needs a new
  // copy, so the button says so again (it stayed "copied" after the view changed, issue #14).
  setInterval(function () {
    var b = document.getElementById("cnn-copy-link");
    if (b && b.getAttribute("data-copied") && b.getAttribute("data-copied") !== window.location.href) {
      b.setAttribute("data-copied", ""); b.textContent = "🔗 Copy link to this view";
    }
  }, 400);
  document.addEventListener("click", function (event) {
    var b = event.target.closest && event.target.closest("#cnn-copy-link");
    if (!b) return;
    var url = window.location.href;
    function done() { b.setAttribute("data-copied", url); b.textContent = "✅ Link copied"; }
    function fallback() {  // plain http on a school network is no secure context: no clipboard API
      var t = document.createElement("textarea");
      t.value = url; document.body.appendChild(t); t.select();
      try { document.execCommand("copy"); } catch (e) {}
      t.remove(); done();
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(done, fallback);
    } else { fallback(); }
  });
}
</script>
"""


def copy_link() -> None:
    """A button that copies the address (always current: widgets update it as they change),
    with what a link can and cannot carry."""
    st.html(COPY_HTML, unsafe_allow_javascript=True)
    st.caption("The link opens this page with the same settings (and presenter mode if on). "
               "A picture you uploaded or took with the camera stays on your computer: the "
               "link opens the same sample picture and settings.")
