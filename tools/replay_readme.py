"""Replay the README's set-up as a new user would, and say PASS or FAIL for each step.

    python tools/replay_readme.py [--python PY] [--archive ZIP] [--tests "ARGS"] [--keep]

A fresh `git clone` of this repository's committed HEAD goes into a new temporary folder, with
nothing beside it (no ../shared), and the README's own commands run there, read from the
fenced blocks that follow its `<!-- replay:NAME -->` markers:

  venv     the virtual environment (made with --python: a `python3` on the PATH is that one)
  app      command 1: the install, then `streamlit run app.py` answering on its port
  cli      the teacher's command line: with the archive it trains; without it (and with the
           download pointed at a closed local port) it says what to type, e.g. --dataset digits
  tests    command 2, the whole suite in its two parts (or one `python -m pytest ARGS` with --tests)
  package  `pip install .`, then `cnn-explorer` serving the app and `cnn-explorer train`
           from another folder

The environment is the caller's, less anything that would leak this checkout into the clone
(CNN_EXPLORER_*, VIRTUAL_ENV, PYTHONPATH). The Sign Language Digits archive is used only when
--archive gives it (as CNN_EXPLORER_SIGN_DIGITS). The network is whatever pip is configured to
reach; nothing else is contacted (the script cannot enforce that: it only never asks).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STEPS = ("venv", "app", "cli", "tests", "package")


@dataclass
class Result:
    step: str
    ok: bool
    seconds: float
    detail: str


def readme_blocks(readme: str) -> dict[str, str]:
    """{marker name: the first fenced block after `<!-- replay:NAME -->`}."""
    blocks = {}
    for m in re.finditer(r"<!-- replay:(\w+) -->\s*```\w*\n(.*?)```", readme, re.S):
        blocks[m.group(1)] = "\n".join(line.strip() for line in m.group(2).strip().splitlines())
    missing = [s for s in STEPS if s not in blocks]
    if missing:
        raise SystemExit(f"README has no replay block for: {', '.join(missing)}")
    return blocks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(port: int, proc: subprocess.Popen, timeout: float = 180) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
                        return page.status == 200 and b"<html" in page.read(4096).lower()
        except OSError:
            time.sleep(0.5)
    return False


def listening_on(port: int) -> str:
    """'every interface', 'this computer only' or 'unknown', from Linux's socket tables."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                addresses.add(address)
    if not addresses:
        return "unknown"
    return "every interface" if any(set(a) == {"0"} for a in addresses) else "this computer only"


def stop(proc: subprocess.Popen) -> None:
    """Stop a server started in its own process group (the shell, Streamlit and its children)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


class Replay:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="replay-readme-"))
        self.clone = self.work / "cnn-explorer"
        self.logs = self.work / "logs"  # beside the clone, but not named shared
        self.logs.mkdir()
        self.results: list[Result] = []
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("CNN_EXPLORER_") and k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
        bin_dir = self.work / "python-bin"  # the README says python3: make that --python
        bin_dir.mkdir()
        (bin_dir / "python3").symlink_to(args.python)
        self.env["PATH"] = f"{bin_dir}{os.pathsep}{self.env.get('PATH', '')}"
        self.env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        self.env["PIP_PROGRESS_BAR"] = "off"
        if args.archive:
            self.env["CNN_EXPLORER_SIGN_DIGITS"] = str(Path(args.archive).resolve())

    # -- running things in the clone, inside the README's virtual environment ----------------
    def bash(self, script: str, log: str, venv: bool = True, cwd: Path | None = None,
             env: dict | None = None, timeout: float | None = None) -> subprocess.CompletedProcess:
        prefix = "set -e -o pipefail\n" + (f". {self.clone}/.venv/bin/activate\n" if venv else "")
        with open(self.logs / f"{log}.log", "w") as out:
            return subprocess.run(["bash", "-c", prefix + script], cwd=cwd or self.clone,
                                  env={**self.env, **(env or {})}, stdout=out, stderr=subprocess.STDOUT,
                                  timeout=timeout)

    def serve(self, script: str, log: str, cwd: Path | None = None, own_port: bool = True) -> tuple[bool, str]:
        """Run a command that starts the app, check it answers (health and the page), stop it.
        own_port=False: no --server.port, as the README's command; the port is read from the
        URL Streamlit prints (8501, or the next free one)."""
        port = free_port() if own_port else None
        cmd = (f"set -e\n. {self.clone}/.venv/bin/activate\n"
               f"exec {script} --server.headless true" + (f" --server.port {port}" if port else ""))
        path = self.logs / f"{log}.log"
        with open(path, "w") as out:
            proc = subprocess.Popen(["bash", "-c", cmd], cwd=cwd or self.clone, env=self.env,
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                end = time.monotonic() + 180
                while port is None and time.monotonic() < end and proc.poll() is None:
                    found = re.search(r"Local URL: http://localhost:(\d+)", path.read_text())
                    port = int(found.group(1)) if found else None
                    time.sleep(0.5)
                up = port is not None and healthy(port, proc)
                where = listening_on(port) if port else "unknown"
            finally:
                stop(proc)
        text = (self.logs / f"{log}.log").read_text()
        urls = [u for u in ("Local URL", "Network URL") if u in text]
        return up, (f"port {port} {'answered' if up else 'did NOT answer'}, listening on {where}; "
                    f"printed {', '.join(urls) or 'no URL'}")

    def step(self, name: str, fn) -> None:
        print(f"-- {name} ...", flush=True)
        start = time.monotonic()
        try:
            ok, detail = fn()
        except Exception as exc:  # a step that breaks is a FAIL with the reason, not a crash
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        result = Result(name, ok, time.monotonic() - start, detail)
        self.results.append(result)
        print(f"   {'PASS' if ok else 'FAIL'}  {result.seconds:6.0f} s  {detail}", flush=True)

    # -- the steps ------------------------------------------------------------------------------
    def run(self) -> int:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(self.clone)], check=True)
        blocks = readme_blocks((self.clone / "README.md").read_text())
        print(f"replaying README.md of {head} in {self.clone}")
        print(f"python {self.args.python}; archive: {self.args.archive or 'none'}; "
              f"tests: {self.args.tests or 'all'}; ../shared beside the clone: "
              f"{(self.clone.parent / 'shared').exists()}", flush=True)

        def venv():
            proc = self.bash(blocks["venv"] + "\npython --version", "venv", venv=False)
            version = (self.logs / "venv.log").read_text().strip().splitlines()[-1:]
            return proc.returncode == 0, " ".join(version)

        def app():
            install, _, serve = blocks["app"].rpartition(" && ")
            proc = self.bash(install + "\npython -c 'import torch; print(\"torch\", torch.__version__, "
                             "\"cuda\" if torch.version.cuda else \"cpu\")'\ndu -sh .venv", "app-install")
            lines = (self.logs / "app-install.log").read_text().strip().splitlines()
            if proc.returncode != 0:
                return False, f"install failed (rc {proc.returncode}): {lines[-1:] }"
            up, detail = self.serve(serve, "app-serve", own_port=False)
            return up, f"{lines[-2]}; venv {lines[-1].split()[0]}; {detail}"

        def cli():
            data = self.work / "cli-data"
            env = {"CNN_EXPLORER_DATA": str(data),
                   # never GitHub: without the archive the download fails at once, as offline
                   "CNN_EXPLORER_SIGN_DIGITS_URL": "http://127.0.0.1:9/master.zip"}
            proc = self.bash(blocks["cli"], "cli", env=env)
            text = (self.logs / "cli.log").read_text()
            if self.args.archive:
                result = json.loads(text.strip().splitlines()[-1])
                ok = proc.returncode == 0 and result["test_accuracy"] >= 0.95
                return ok, f"trained: test accuracy {result['test_accuracy']:.1%} in {result['seconds']} s"
            ok = proc.returncode == 2 and "--dataset digits" in text and "reload" not in text
            return ok, f"exit {proc.returncode}; says what to type: {'--dataset digits' in text}"

        def tests():
            command = blocks["tests"]
            if self.args.tests:  # one run of what was asked in place of the README's two parts
                command = command[:command.index("python -m pytest")] + f"python -m pytest {self.args.tests}"
            proc = self.bash(command, "tests")
            text = (self.logs / "tests.log").read_text()
            summary = [m.group(1) for l in text.splitlines()
                       for m in [re.search(r"(\d+ (?:passed|failed|errors?)\b.* in [\d.]+s.*?)(?: =+)?$", l)] if m]
            skipped = sorted({l.split(": ", 1)[-1] for l in text.splitlines() if l.startswith("SKIPPED")})
            detail = ("; then ".join(summary) if summary else f"no pytest summary (rc {proc.returncode})")
            if skipped:
                detail += "; skipped because: " + " | ".join(skipped)
            return proc.returncode == 0, detail

        def package():
            proc = self.bash(blocks["package"], "package-install")
            text = (self.logs / "package-install.log").read_text().strip()
            if proc.returncode != 0:
                return False, f"pip install . failed: {text.splitlines()[-1:]}"
            version = text.splitlines()[-1]
            elsewhere = self.work / "elsewhere"  # a folder that is not the clone
            elsewhere.mkdir()
            up, detail = self.serve("cnn-explorer", "package-serve", cwd=elsewhere)
            train = self.bash("cnn-explorer train --dataset digits --epochs 1 --quiet", "package-train",
                              cwd=elsewhere)
            saved = list((elsewhere / "data" / "models").glob("*/weights.safetensors"))
            ok = up and train.returncode == 0 and len(saved) == 1
            return ok, f"{version}; cnn-explorer: {detail}; cnn-explorer train saved {len(saved)} model in ./data"

        for name, fn in (("venv", venv), ("app", app), ("cli", cli), ("tests", tests), ("package", package)):
            if name in self.args.skip:
                continue
            self.step(name, fn)
            if name in ("venv", "app") and not self.results[-1].ok:
                break  # nothing after it can run

        passed = all(r.ok for r in self.results)
        print("\nstep     result  seconds  detail")
        for r in self.results:
            print(f"{r.step:<8} {'PASS' if r.ok else 'FAIL':<7} {r.seconds:7.0f}  {r.detail}")
        print(f"\nREADME replay: {'PASS' if passed else 'FAIL'} (logs in {self.logs})")
        if passed and not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)
            print("(the clone and its environment were removed; --keep keeps them)")
        return 0 if passed else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--python", default=shutil.which("python3") or sys.executable,
                   help="the interpreter the README's python3 stands for (default: python3 on the PATH)")
    p.add_argument("--archive", help="the Sign Language Digits zip, given as CNN_EXPLORER_SIGN_DIGITS")
    p.add_argument("--tests", default="", help='what follows `python -m pytest`, e.g. "tests/test_ops.py -x"')
    p.add_argument("--skip", nargs="*", default=[], choices=STEPS, help="steps to leave out")
    p.add_argument("--keep", action="store_true", help="keep the clone and its virtual environment")
    args = p.parse_args()
    args.python = str(Path(args.python).resolve()) if os.sep in args.python else shutil.which(args.python)
    return Replay(args).run()


if __name__ == "__main__":
    sys.exit(main())
