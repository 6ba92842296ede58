"""What an app process's memory is made of: /proc/PID/smaps grouped by mapping, and (with
`--probe`) glibc malloc's own counts and the class-wide store from inside the server.

    python -m bench.memory_probe PID            # one process's smaps, grouped (from outside)
    python -m bench.memory_probe serve app.py --server.port 8501 ...
        # `streamlit run` with a thread that writes, every 2 s, malloc's counts (mallinfo2), the
        # shared store's bytes and entries and the thread count to $CNN_EXPLORER_PROBE (JSON lines)

The bench (bench/bench_protocol_load.py --probe) uses both: the grouped smaps at the RSS peak,
and the last line the probe wrote. After the walk the probe also writes a census of the Python
objects, the largest arrays and tensors with what holds them, and the packages with the most
modules loaded.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import sys
import threading
import time
from collections import defaultdict

WATCHED = ("torch._dynamo", "sklearn", "scipy", "pandas", "pyarrow", "matplotlib", "captum", "altair")
FIELDS = ("Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty", "Anonymous", "Swap")


def rollup(pid: int) -> dict[str, int]:
    """/proc/PID/smaps_rollup in kB."""
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                out[parts[0][:-1]] = int(parts[1])
    return out


def group_of(name: str) -> str:
    """A mapping's group: torch's libraries, other shared libraries, Python extension modules,
    the malloc heap, other anonymous memory (malloc arenas and large blocks, thread stacks,
    numpy/torch buffers), other files."""
    if not name:
        return "anonymous (malloc arenas, mmap'd blocks, stacks)"
    if name == "[heap]":
        return "[heap] (main arena)"
    if name.startswith("["):
        return "other kernel ([stack], [vdso], ...)"
    base = os.path.basename(name)
    if "/torch/" in name or "libtorch" in base or "libgomp" in base or "libmkl" in base:
        return "torch's libraries (libtorch_cpu, oneDNN, MKL, gomp)"
    if ".cpython-" in base or base.endswith(".abi3.so"):
        return "other Python extension modules (.so)"
    if re.search(r"\.so(\.|$)", base):
        return "other shared libraries (.so)"
    if "/media" in name or name.startswith(("/tmp", "/dev/shm")):
        return "temporary files"
    return "other files (fonts, locale, python stdlib)"


def smaps_groups(pid: int) -> dict[str, dict[str, int]]:
    """kB per group and per smaps field."""
    groups: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    current = None
    with open(f"/proc/{pid}/smaps") as fh:
        for line in fh:
            head = line.split(None, 5)
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                current = groups[group_of(head[5].strip() if len(head) > 5 else "")]
                current["mappings"] += 1
            elif head and head[0].endswith(":") and head[0][:-1] in FIELDS and current is not None:
                current[head[0][:-1]] += int(head[1])
    return {k: dict(v) for k, v in groups.items()}


def print_groups(pid: int, title: str = "") -> None:
    groups = smaps_groups(pid)
    print(f"\nmemory of pid {pid}{title} (MB; Pss shares a page among the processes mapping it):")
    print(f"{'group':<56} {'Rss':>7} {'Pss':>7} {'Shared':>7} {'Private':>8}")
    for name, g in sorted(groups.items(), key=lambda kv: -kv[1].get("Rss", 0)):
        shared = g.get("Shared_Clean", 0) + g.get("Shared_Dirty", 0)
        private = g.get("Private_Clean", 0) + g.get("Private_Dirty", 0)
        print(f"{name:<56} {g.get('Rss', 0) / 1024:>7.0f} {g.get('Pss', 0) / 1024:>7.0f} {shared / 1024:>7.0f} "
              f"{private / 1024:>8.0f}")
    r = rollup(pid)
    print(f"{'total':<56} {r['Rss'] / 1024:>7.0f} {r['Pss'] / 1024:>7.0f} "
          f"{(r['Shared_Clean'] + r['Shared_Dirty']) / 1024:>7.0f} "
          f"{(r['Private_Clean'] + r['Private_Dirty']) / 1024:>8.0f}")


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def mallinfo() -> dict[str, int]:
    """glibc's counts over all arenas, in bytes: arena (brk + arena heaps), hblkhd (mmap'd
    blocks), uordblks (in use), fordblks (free but kept)."""
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _Mallinfo2
    m = libc.mallinfo2()
    return {k: int(getattr(m, k)) for k in ("arena", "hblkhd", "uordblks", "fordblks")}


def arenas() -> int:
    """How many malloc arenas exist (from malloc_info's XML)."""
    libc = ctypes.CDLL("libc.so.6")
    path = f"/tmp/malloc-info-{os.getpid()}.xml"
    libc.fopen.restype = ctypes.c_void_p
    fp = libc.fopen(path.encode(), b"w")
    libc.malloc_info(0, ctypes.c_void_p(fp))
    libc.fclose(ctypes.c_void_p(fp))
    with open(path) as fh:
        text = fh.read()
    os.unlink(path)
    return text.count("<heap nr=")


def census(top: int = 12) -> list[tuple[str, float, int]]:
    """(type, MB, count) of the objects the garbage collector tracks and of everything they
    refer to directly (bytes, strings and numpy arrays are not tracked themselves): numpy arrays
    by the bytes they own, torch tensors by their storage, the rest by sys.getsizeof. Holds the
    GIL for a few seconds: only when the bench asks, after the walk."""
    import gc

    seen, sizes, counts = set(), defaultdict(int), defaultdict(int)
    for obj in gc.get_objects():
        for o in (obj, *gc.get_referents(obj)):
            if id(o) in seen:
                continue
            seen.add(id(o))
            try:
                name = f"{getattr(type(o), '__module__', '?')}.{type(o).__name__}"
                if name == "numpy.ndarray":
                    size = o.nbytes if o.base is None else 0
                elif name == "torch.Tensor" or name.startswith("torch.nn.parameter"):
                    size = o.untyped_storage().nbytes() if o._base is None else 0
                else:
                    size = sys.getsizeof(o)
            except Exception:  # noqa: BLE001 - a probe: odd objects count as empty
                name, size = "?", 0
            sizes[name] += size
            counts[name] += 1
    return [(k, round(v / 2**20, 1), counts[k]) for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])[:top]]


def largest_buffers(top: int = 12) -> list[tuple[str, float, str]]:
    """(what, MB, held by) of the largest numpy arrays and torch tensors that own their memory:
    shape and dtype, and the types (and, for dicts, some keys) of what refers to each."""
    import gc

    found = {}
    for obj in gc.get_objects():
        for o in (obj, *gc.get_referents(obj)):
            try:
                name = f"{getattr(type(o), '__module__', '?')}.{type(o).__name__}"
                if name == "numpy.ndarray" and o.base is None:
                    found[id(o)] = (o, o.nbytes)
                elif (name == "torch.Tensor" or name.startswith("torch.nn.parameter")) and o._base is None:
                    found[id(o)] = (o, o.untyped_storage().nbytes())
            except Exception:  # noqa: BLE001, S110 - a probe: odd objects are skipped
                pass
    out = []
    for o, size in sorted(found.values(), key=lambda t: -t[1])[:top]:
        holders = []
        for r in gc.get_referrers(o):
            if isinstance(r, dict):
                keys = [k for k, v in r.items() if v is o][:2]
                holders.append(f"dict[{','.join(map(str, keys))}]")
            elif type(r).__name__ not in ("frame", "list") or len(holders) < 3:
                holders.append(type(r).__name__)
        out.append((f"{type(o).__name__} {tuple(o.shape)} {o.dtype}", round(size / 2**20, 1), " ".join(holders[:5])))
    return out


def _probe(path: str) -> None:
    from explorer.inspect import shared_results

    stores = []
    init = shared_results.SharedResults.__init__

    def remember(self, *a, **kw):
        init(self, *a, **kw)
        stores.append(self)

    shared_results.SharedResults.__init__ = remember

    def loop():
        while True:
            time.sleep(2)
            s = [st.stats() for st in stores]
            trimmers = [t for t in threading.enumerate() if t.name == "memory-trimmer"]
            line = {"trims": sum(t.stats.trims for t in trimmers),
                    "trim_seconds": sum(t.stats.seconds for t in trimmers),
                    "modules": [m for m in WATCHED if m in sys.modules], "t": time.time(), **mallinfo(), "arenas": arenas(), "threads": threading.active_count(),
                    "store_bytes": sum(x.bytes for x in s), "store_entries": sum(x.entries for x in s),
                    "store_max": sum(st.max_bytes for st in stores)}
            if os.path.exists(path + ".census"):  # the bench asks once, after the walk
                line["census"] = census()
                line["buffers"] = largest_buffers()
                line["all_modules"] = len(sys.modules)
                tops = defaultdict(int)
                for m in list(sys.modules):
                    tops[m.split(".")[0]] += 1
                line["packages"] = sorted(tops.items(), key=lambda kv: -kv[1])[:25]
                os.unlink(path + ".census")
            with open(path, "a") as fh:
                fh.write(json.dumps(line) + "\n")

    threading.Thread(target=loop, daemon=True, name="memory-probe").start()


def main() -> None:
    if sys.argv[1:2] == ["serve"]:
        _probe(os.environ["CNN_EXPLORER_PROBE"])
        from streamlit.web import cli

        sys.argv = ["streamlit", "run", *sys.argv[2:]]
        sys.exit(cli.main())
    print_groups(int(sys.argv[1]))


if __name__ == "__main__":
    main()
