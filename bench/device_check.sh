#!/usr/bin/env bash
# The GPU path, proven in one run (issue 21 item 4): on a machine with a CUDA GPU,
#   bash bench/device_check.sh            # installs what is missing, GPU tests, then the table
#   bash bench/device_check.sh --cpu      # the same on the CPU: checks the script (no GPU tests)
# Needs: python 3.10+ with pip. requirements.txt pins torch 2.13.0, which pip installs as the
# CUDA build on an ordinary Linux x86-64 machine; nothing is installed when the imports already
# work (a machine without internet then still runs). Streamlit is not needed here.
# A machine without internet whose Python has torch but lacks a package (Captum, say): download
# its wheel elsewhere (pip download --no-deps captum==0.9.0 -d wheels) and pass the folder:
#   WHEELS=wheels bash bench/device_check.sh      # installs them into a temporary folder first
# The Sign Language Digits archive is used when $CNN_EXPLORER_SIGN_DIGITS, data/ or ../shared/data
# holds it, else the bundled digits. Every step runs; the failed ones are named at the end (exit 1).
# Time: about 1.5 minutes on an H200 machine (2026-12-04), most of it imports; --cpu: about
# half a minute on a quiet 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off
device=cuda
[ "${1:-}" = "--cpu" ] && device=cpu
PY=${PYTHON:-python3}

if [ -n "${WHEELS:-}" ]; then
  site=$(mktemp -d)
  echo "== installing $(ls "$WHEELS"/*.whl | xargs -n1 basename | tr '\n' ' ')into $site"
  "$PY" -m pip install -q --no-index --no-deps --no-compile --target "$site" "$WHEELS"/*.whl
  export PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}"
fi
if ! "$PY" -c "import torch, captum, sklearn, safetensors, pytest, pytest_timeout" 2>/dev/null; then
  echo "== installing requirements-test.txt"
  "$PY" -m pip install -q -r requirements-test.txt
fi
if [ -z "${CNN_EXPLORER_SIGN_DIGITS:-}" ]; then
  for zip in data/*ign*igit*.zip ../shared/data/*ign*igit*.zip shared/data/*ign*igit*.zip; do
    if [ -f "$zip" ]; then export CNN_EXPLORER_SIGN_DIGITS="$PWD/$zip"; break; fi
  done
fi
"$PY" - <<'PY'
import platform
import captum
import torch
print(f"== Python {platform.python_version()}, torch {torch.__version__}, CUDA build {torch.version.cuda}, "
      f"Captum {captum.__version__}, GPU available: {torch.cuda.is_available()}"
      + (f" ({torch.cuda.get_device_name()})" if torch.cuda.is_available() else ""))
PY
failed=()
step() {  # one step: its title, then the command; a failed step is named at the end, the rest still run
  echo "== $1"
  shift
  "$@" || failed+=("$*")
}
if [ "$device" = cuda ]; then
  "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 3)" \
    || { echo "no CUDA GPU visible to torch: run with --cpu, or install torch's CUDA build" >&2; exit 3; }
  step "GPU tests" "$PY" -m pytest tests/test_gpu.py -v -p no:cacheprovider
  step "occlusion equals Captum (on the CPU, with the GPU build of torch)" \
    "$PY" -m pytest tests/test_occlusion.py -q -p no:cacheprovider
  step "table" "$PY" -m bench.bench_device --device cuda --seeds 0 1 2 3 4
  step "the same table on this machine's CPU, for comparison" "$PY" -m bench.bench_device --device cpu --quick
else
  step "GPU tests (they skip without a GPU)" "$PY" -m pytest tests/test_gpu.py -q -p no:cacheprovider
  step "table (CPU, quick)" "$PY" -m bench.bench_device --device cpu --quick
fi
if [ ${#failed[@]} -gt 0 ]; then
  printf '== FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "== all steps passed"
