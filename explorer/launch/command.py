"""The `cnn-explorer` command that `pip install .` puts on the PATH (pyproject.toml):

    cnn-explorer [Streamlit options]   start the app, as `streamlit run app.py` does
                                       (e.g. --server.port 8502 --server.address 0.0.0.0)
    cnn-explorer train [options]       train without the browser, as `python -m explorer.train`
    cnn-explorer --version

An installed copy keeps its data (the dataset, saved models) in data/ of the folder you start
it from, or in $CNN_EXPLORER_DATA; a checkout keeps it in its own data/.
"""

from __future__ import annotations

import os
import subprocess
import sys

from explorer.launch.paths import ROOT
from explorer.launch.version import __version__
from explorer.server import memory

PROG = "cnn-explorer"


def run() -> int:
    """What the installed command runs (pyproject.toml): main(), and after `train` the same quick
    exit as `python -m explorer.train` (explorer/train/cli.py's leave)."""
    code = main()
    if sys.argv[1:2] == ["train"]:
        from explorer.train import cli

        cli.leave(code)
    return code


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["train"]:
        from explorer.train import cli  # imports torch: only for this sub-command

        return cli.main(argv[1:], prog=f"{PROG} train")
    if argv[:1] in (["--version"], ["-V"]):
        print(f"{PROG} {__version__}")
        return 0
    if argv[:1] in (["--help"], ["-h"], ["help"]):
        print(__doc__.strip())
        return 0
    return run_app(argv)


def app_command(streamlit_args: list[str]) -> tuple[list[str], dict[str, str]]:
    """The command and environment that start the app: `streamlit run <ROOT>/app.py ARGS`, with
    malloc's arenas capped from the process's first thread on (explorer/server/memory.py)."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), *streamlit_args]
    return cmd, {**os.environ, **memory.environment()}


def run_app(streamlit_args: list[str]) -> int:
    """Start the app. Streamlit reads .streamlit/config.toml beside app.py, so the app's
    settings apply from any folder."""
    cmd, env = app_command(streamlit_args)
    if os.name == "posix":
        os.execve(sys.executable, cmd, env)  # Streamlit itself gets Ctrl+C and the service's signals
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    sys.exit(run())
