"""A Streamlit session without a browser: the websocket protocol the front end speaks.

One `Session` is one browser tab: it connects to /_stcore/stream (subprotocol "streamlit"),
sends BackMsg.rerun_script with a ClientState (page, query string, every widget value it has
set, the fragment of the widget that changed) and reads ForwardMsgs: the page list
(`navigation`), elements (`delta`: widgets by label with their id and fragment, /media/ URLs,
exception and error boxes), `auto_rerun` (a `st.fragment(run_every=...)`: re-sent like the
browser's timer) and `script_finished`. A request counts as answered when its run finished and
every /media/ file it drew was fetched over HTTP, as a browser must before the picture shows.

Values are sent the way the front end sends them (streamlit/elements/widgets/*: slider
double_array_value, select_slider / segmented_control string_array_value of formatted options,
selectbox string_value, number_input double_value, button trigger_value).
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
        ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
WIDGETS = ("slider", "button_group", "selectbox", "number_input", "button", "checkbox", "toggle")
FETCHERS = ThreadPoolExecutor(max_workers=16, thread_name_prefix="media")  # the browser's parallel image loads


@dataclass
class Widget:
    kind: str  # Element field: slider, button_group, selectbox, number_input, button, ...
    id: str
    label: str
    fragment_id: str  # "" outside a fragment
    proto: object  # the element's proto (options, min, max, default, ...)


@dataclass
class Run:
    """What one request produced."""
    ms: float = 0.0
    media: list[str] = field(default_factory=list)
    media_bytes: int = 0
    errors: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    fragment_texts: list[str] = field(default_factory=list)  # those drawn by a fragment's code
    elements: list[str] = field(default_factory=list)  # the kind of every element drawn, in order
    blocks: int = 0  # containers drawn (columns, expanders, ...)
    messages: int = 0  # ForwardMsgs received for the request
    ws_bytes: int = 0  # their bytes on the websocket


class Session:
    def __init__(self, base_url: str, follow_auto_reruns: bool = False):
        self.base = base_url.rstrip("/")
        self.follow_auto_reruns = follow_auto_reruns
        self.pages: dict[str, str] = {}  # url path -> page_script_hash
        self.page_hash = ""
        self.query = ""
        self.states: dict[str, WidgetState] = {}  # what this tab has set, sent with every rerun
        self.widgets: dict[str, Widget] = {}  # label -> widget drawn by the latest runs
        self.run = Run()
        self._finished = asyncio.Event()
        self._status = None
        self._ws = None
        self._reader = None
        self._timers: dict[str, asyncio.Task] = {}
        self.auto_reruns: dict[str, float] = {}  # fragment id -> seconds between the timer's reruns
        self._closing = False
        self._lock = asyncio.Lock()  # one request at a time, as a tab waits for its run

    async def connect(self, page: str = "") -> Run:
        url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        self._ws = await websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=120,
                                            ping_interval=None)
        self._reader = asyncio.create_task(self._read())
        return await self.open(page)

    async def close(self) -> None:
        self._closing = True
        for t in self._timers.values():
            t.cancel()
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()

    async def open(self, page: str) -> Run:
        """Open a page as a sidebar click does: its hash, no widget values, an empty query."""
        self.page_hash, self.query, self.states, self.widgets = self.pages.get(page, ""), "", {}, {}
        return await self._rerun(page_name=page)

    async def set(self, label: str, value) -> Run:
        """Change the widget whose label starts with `label` to `value` (a plain value: number,
        option string) and wait for the result."""
        w = self.widget(label)
        self.states[w.id] = state(w, value)
        return await self._rerun(fragment_id=w.fragment_id)

    async def click(self, label: str) -> Run:
        w = self.widget(label)
        trigger = WidgetState(id=w.id, trigger_value=True)
        return await self._rerun(fragment_id=w.fragment_id, extra=trigger)

    async def tick(self, fragment_id: str) -> Run:
        """One rerun of a `st.fragment(run_every=...)`, as the browser's timer sends it."""
        return await self._rerun(fragment_id=fragment_id, auto=True)

    def widget(self, label: str) -> Widget:
        """The widget whose label starts with `label` (else contains it)."""
        found = ([w for lab, w in self.widgets.items() if lab.startswith(label)]
                 or [w for lab, w in self.widgets.items() if label in lab])
        if not found:
            raise LookupError(f"no widget labelled {label!r} on the page (have: {sorted(self.widgets)})")
        return found[0]

    async def _rerun(self, page_name: str = "", fragment_id: str = "", extra: WidgetState | None = None,
                     auto: bool = False) -> Run:
        async with self._lock:
            msg = BackMsg()
            cs = msg.rerun_script
            cs.query_string, cs.page_script_hash, cs.page_name = self.query, self.page_hash, page_name
            cs.fragment_id, cs.is_auto_rerun = fragment_id, auto
            cs.widget_states.widgets.extend([*self.states.values(), *([extra] if extra else [])])
            self.run, self._status = Run(), None
            self._finished.clear()
            t = time.perf_counter()
            await self._ws.send(msg.SerializeToString())
            await self._finished.wait()
            run = self.run
            if self._status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                run.errors.append("script did not compile")
            run.media_bytes = sum(await asyncio.gather(*(self._fetch(u) for u in dict.fromkeys(run.media))))
            run.ms = (time.perf_counter() - t) * 1000
            return run

    async def _fetch(self, path: str) -> int:
        def get() -> int:
            with urllib.request.urlopen(self.base + path, timeout=120) as r:
                return len(r.read())

        try:
            return await asyncio.get_running_loop().run_in_executor(FETCHERS, get)
        except OSError as exc:
            self.run.errors.append(f"{path}: {exc}")
            return 0

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                self.run.messages += 1
                self.run.ws_bytes += len(raw)
                self._handle(raw)
        except (websockets.ConnectionClosed, asyncio.CancelledError):
            pass
        finally:
            if not self._closing:
                self.run.errors.append("connection closed by the server")
            self._finished.set()

    def _handle(self, raw: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "delta":
            self._element(msg)
        elif kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "auto_rerun":
            self.auto_reruns[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
            if self.follow_auto_reruns:
                self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "ref_hash":  # a cached message the client never said it holds: a protocol change
            self.run.errors.append("server referred to a cached message")
        elif kind == "script_finished" and msg.script_finished in DONE:
            self._status = msg.script_finished
            self._finished.set()

    def _element(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") == "add_block":
            self.run.blocks += 1
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        self.run.elements.append(kind)
        self.run.media += media_urls(el)
        if kind in WIDGETS:
            proto = getattr(el, kind)
            label = getattr(proto, "label", "")
            self.widgets[label] = Widget(kind, proto.id, label, delta.fragment_id, proto)
        elif kind == "exception":
            self.run.errors.append(f"exception: {el.exception.type}: {el.exception.message[:160]}")
        elif kind == "alert" and el.alert.format == el.alert.ERROR:
            self.run.errors.append(f"error box: {el.alert.body[:160]}")
        elif kind in ("markdown", "text", "alert"):
            self.run.texts.append(getattr(el, kind).body)
            if delta.fragment_id:
                self.run.fragment_texts.append(getattr(el, kind).body)
        elif kind == "imgs":
            self.run.texts += [img.caption for img in el.imgs.imgs]

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        if fragment_id in self._timers:
            return

        async def tick():
            while True:
                await asyncio.sleep(interval)
                await self.tick(fragment_id)

        self._timers[fragment_id] = asyncio.create_task(tick())


def media_urls(proto) -> list[str]:
    """Every /media/ URL in a proto's string fields (images, audio, video, at any depth)."""
    found = []
    for fd, value in proto.ListFields():
        values = value if fd.is_repeated else [value]
        for v in values:
            if fd.type == fd.TYPE_MESSAGE:
                found += media_urls(v)
            elif fd.type == fd.TYPE_STRING and v.startswith("/media/"):
                found.append(v)
    return found


def state(w: Widget, value) -> WidgetState:
    """The WidgetState the front end sends for `value` of widget `w`."""
    s = WidgetState(id=w.id)
    if w.kind == "slider" and w.proto.options:  # select_slider: the formatted option
        s.string_array_value.data.append(str(value))
    elif w.kind == "slider":
        s.double_array_value.data.append(float(value))
    elif w.kind == "button_group":
        s.string_array_value.data.append(str(value))
    elif w.kind == "selectbox":
        s.string_value = str(value)
    elif w.kind == "number_input":
        s.double_value = float(value)
    elif w.kind in ("checkbox", "toggle"):
        s.bool_value = bool(value)
    else:
        raise ValueError(f"cannot set a {w.kind}")
    return s


def current(session: Session, w: Widget):
    """The value a widget shows: what this tab set, else the element's default."""
    s = session.states.get(w.id)
    if w.kind == "slider" and w.proto.options:
        return s.string_array_value.data[0] if s else w.proto.options[int(w.proto.default[0])]
    if w.kind == "slider":
        return s.double_array_value.data[0] if s else w.proto.default[0]
    if w.kind == "button_group":
        return s.string_array_value.data[0] if s else w.proto.options[w.proto.default[0]].content
    if w.kind == "selectbox":
        d = w.proto.default
        return s.string_value if s else w.proto.options[d[0] if hasattr(d, "__len__") else d]
    if w.kind == "number_input":
        return s.double_value if s else w.proto.default
    raise ValueError(w.kind)
