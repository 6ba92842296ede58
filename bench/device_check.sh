#!/usr/bin/env bash
# The GPU path, proven in one run (issue 21 item 4): on a machine with a CUDA GPU,
#   bash bench/device_check.sh            # installs what is missing, GPU tests, then the table
#   bash bench/device_check.sh --cpu      # the same on the CPU: checks the script (no GPU tests)
# Needs: python 3.10+ with pip. requirements.txt pins torch 2.13.0, which pip installs as the
# CUDA build on an ordinary Linux x86-64 machine; nothing is installed when the imports already
# work (a machine without internet then still runs). The Sign Language Digits archive is used
# when $CNN_EXPLORER_SIGN_DIGITS, data/ or ../shared/data holds it, else the bundled digits.
# Time: about 3-5 minutes on a GPU machine (most of it imports and three runs of the >= 99.5%
# recipe, recipes.LONG_EPOCHS epochs); --cpu:
# about 3 minutes on a quiet 2-core machine (8 at load 20).
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off
device=cuda
[ "${1:-}" = "--cpu" ] && device=cpu
PY=${PYTHON:-python3}

if ! "$PY" -c "import torch, captum, streamlit, sklearn, safetensors, pytest" 2>/dev/null; then
  echo "== installing requirements-test.txt"
  "$PY" -m pip install -q -r requirements-test.txt
fi
if [ -z "${CNN_EXPLORER_SIGN_DIGITS:-}" ]; then
  for zip in data/*ign*igit*.zip ../shared/data/*ign*igit*.zip shared/data/*ign*igit*.zip; do
    if [ -f "$zip" ]; then export CNN_EXPLORER_SIGN_DIGITS="$PWD/$zip"; break; fi
  done
fi
"$PY" - <<'PY'
import torch
print(f"== torch {torch.__version__}, CUDA build {torch.version.cuda}, GPU available: {torch.cuda.is_available()}"
      + (f" ({torch.cuda.get_device_name()})" if torch.cuda.is_available() else ""))
PY
if [ "$device" = cuda ]; then
  "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 3)" \
    || { echo "no CUDA GPU visible to torch: run with --cpu, or install torch's CUDA build" >&2; exit 3; }
  echo "== GPU tests"
  "$PY" -m pytest tests/test_gpu.py -q -p no:cacheprovider
  echo "== occlusion equals Captum (on the CPU, with the GPU build of torch)"
  "$PY" -m pytest tests/test_occlusion.py -q -p no:cacheprovider
  echo "== table"
  "$PY" -m bench.bench_device --device cuda
  echo "== the same table on this machine's CPU, for comparison"
  "$PY" -m bench.bench_device --device cpu --quick
else
  echo "== GPU tests (they skip without a GPU)"
  "$PY" -m pytest tests/test_gpu.py -q -p no:cacheprovider
  echo "== table (CPU, quick)"
  "$PY" -m bench.bench_device --device cpu --quick
fi
