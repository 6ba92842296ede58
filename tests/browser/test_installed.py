"""`pip install .` as a user would do it, then the `cnn-explorer` command from another folder:
the app serves every page from the installed copy, and `cnn-explorer train` trains.

The wheel is built offline from the repository's own files and installed into a fresh virtual
environment that sees the test environment's packages (so nothing is downloaded).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
import venv

import pytest
from playwright.sync_api import expect

from explorer.launch.version import __version__
from tests.browser.conftest import free_port, stop_server, wait_healthy
from tests.browser.helpers import assert_no_errors, open_page
from tests.conftest import ROOT

# What `pip install .` reads: the package, the app's own files, the metadata.
SOURCES = ["pyproject.toml", "README.md", "requirements.txt", "app.py", ".streamlit", "pages",
           "assets", "explorer"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the environment's bin folder, a working folder outside the checkout, its environment)."""
    work = tmp_path_factory.mktemp("installed")
    src = work / "src"
    src.mkdir()
    for name in SOURCES:
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(
            ROOT / name, src / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                        if (ROOT / name).is_dir() else {}))
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)
    # The new environment sees the packages of the one running the tests (a .pth file after
    # its own site-packages), whether that is a virtual environment or not: pip, setuptools
    # and the app's requirements are there, and the installed explorer comes first.
    site_dir = next((env_dir / "lib").glob("python3*/site-packages"))
    outer = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (site_dir / "tests-outer-env.pth").write_text("\n".join(outer) + "\n")
    bin_dir = env_dir / "bin"
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "CNN_EXPLORER_DATA", "CNN_EXPLORER_SIGN_DIGITS")}
    env.update(OMP_NUM_THREADS="1", CNN_EXPLORER_THREADS="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", VIRTUAL_ENV=str(env_dir))
    pip = [str(bin_dir / "python"), "-m", "pip"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w",
                    str(work / "wheel"), str(src)], check=True, env=env, cwd=work, timeout=300)
    wheel = next((work / "wheel").glob("cnn_explorer-*.whl"))
    # --ignore-installed: a copy installed in the outer environment (pip install .) stays as it is
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "--ignore-installed", "-q", str(wheel)],
                   check=True, env=env, cwd=work, timeout=300)
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    return bin_dir, elsewhere, env


def test_the_installed_copy_is_the_one_used(installed):
    bin_dir, elsewhere, env = installed
    out = subprocess.run([str(bin_dir / "cnn-explorer"), "--version"], env=env, cwd=elsewhere,
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == f"cnn-explorer {__version__}"
    where = subprocess.run([str(bin_dir / "python"), "-c",
                            "from explorer.launch import paths; print(paths.ROOT, paths.CHECKOUT, paths.data_dir())"],
                           env=env, cwd=elsewhere, capture_output=True, text=True, timeout=120).stdout.split()
    assert where[0].startswith(str(bin_dir.parent)) and where[0].endswith("cnn_explorer_app")
    assert where[1] == "False" and where[2] == str(elsewhere / "data")


def test_cnn_explorer_train_saves_into_the_folder_it_was_started_in(installed):
    bin_dir, elsewhere, env = installed
    proc = subprocess.run([str(bin_dir / "cnn-explorer"), "train", "--dataset", "digits", "--epochs", "1",
                           "--quiet"], env=env, cwd=elsewhere, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert len(list((elsewhere / "data" / "models").glob("*/weights.safetensors"))) == 1


def test_cnn_explorer_serves_the_app(installed, browser):
    bin_dir, elsewhere, env = installed
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(elsewhere / "streamlit.log", "wb")
    proc = subprocess.Popen([str(bin_dir / "cnn-explorer"), "--server.headless", "true",
                             "--server.address", "127.0.0.1", "--server.port", str(port),
                             "--server.fileWatcherType", "none"],
                            cwd=elsewhere, env=env, stdout=log, stderr=subprocess.STDOUT)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        wait_healthy(url, proc)
        page = context.new_page()
        open_page(page, url)
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text(f"CNN Explorer {__version__}")).to_be_visible()
        expect(sidebar.get_by_role("link", name="Saliency")).to_be_visible()  # every page was found
        open_page(page, url, "convolution")  # a sample picture from the installed assets
        expect(page.get_by_text("Output ", exact=False).first).to_be_visible()
        open_page(page, url, "models")  # the model cnn-explorer train saved in ./data, if it ran first
        assert_no_errors(page)
    finally:
        context.close()
        stop_server(proc)
    assert "Traceback" not in (elsewhere / "streamlit.log").read_text()
