"""The process tests/test_no_programs.py watches: it feeds every image and zip of the hostile
corpus to the app's real entry points with a Python audit hook installed that refuses, and
records, every attempt to start another program (subprocess, exec, spawn, fork, system).

    python -m tests.no_program_child      prints one JSON line: {"started": [...], "cases": N}

An audit hook cannot be removed, so this runs in its own process, never inside pytest.
"""

from __future__ import annotations

import io
import json
import sys

STARTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
          "os.forkpty", "pty.spawn", "os.startfile")
started: list[str] = []


def refuse_programs(event: str, args) -> None:
    if event in STARTS:
        started.append(f"{event} {args[:2]!r}"[:200])
        raise PermissionError(f"no program may start while reading user data ({event})")


def main() -> None:
    from explorer.data import datasets, images
    from tests import hostile_corpus as hc

    cases = [c for c in hc.CASES if c.kind in ("image", "zip")]
    built = [(c, c.build()) for c in cases]  # building a case may use anything; reading may not
    sys.addaudithook(refuse_programs)
    outcomes = {}
    for case, data in built:
        try:
            if case.kind == "image":
                images.decode(data)
                images.decode(data, max_side=64)
            else:
                buf = io.BytesIO(data)
                buf.name = "upload.zip"
                datasets.from_zip(buf)
            outcomes[case.name] = "accepted"
        except (images.ImageError, datasets.DatasetError) as exc:
            outcomes[case.name] = f"refused: {exc}"
        except Exception as exc:  # noqa: BLE001 - reported, the test fails on it
            outcomes[case.name] = f"crashed: {type(exc).__name__}: {exc}"
    print(json.dumps({"started": started, "outcomes": outcomes}), flush=True)


if __name__ == "__main__":
    main()
