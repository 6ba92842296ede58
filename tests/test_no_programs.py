"""Reading a student's file never starts another program (Pillow's EPS plugin runs Ghostscript,
a PostScript interpreter: an endless loop in a file named .png kept it at 100% CPU)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT


def test_no_program_is_started_for_any_image_or_zip_of_the_corpus():
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-m", "tests.no_program_child"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    report = json.loads(res.stdout.strip().splitlines()[-1])
    assert report["started"] == []
    crashed = {k: v for k, v in report["outcomes"].items() if v.startswith("crashed")}
    assert not crashed
    assert "PostScript" in report["outcomes"]["EPS named .png (Ghostscript would run it)"]
    assert report["outcomes"]["EPS drawings inside, named .png"] == "accepted"


def test_the_watch_itself_catches_a_program_start():
    """The audit hook does see Pillow's Ghostscript call when a decoder is not restricted."""
    code = ("import io, json; from tests import no_program_child as c, hostile_corpus as hc; "
            "import sys; from PIL import Image; sys.addaudithook(c.refuse_programs)\n"
            "try: Image.open(io.BytesIO(hc.eps())).load()\n"
            "except Exception: pass\n"
            "print(json.dumps(c.started))")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "subprocess.Popen" in res.stdout, res.stdout + res.stderr
