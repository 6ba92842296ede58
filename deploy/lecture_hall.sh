#!/usr/bin/env bash
# A whole CNN Explorer lecture hall on this machine's loopback address: two app processes
# (streamlit run app.py) sharing one data folder behind HAProxy (deploy/haproxy.cfg), and a
# Dask scheduler with two workers that run the trainings.
#
#   deploy/lecture_hall.sh start    start everything, wait until it answers, print the address
#   deploy/lecture_hall.sh stop     stop everything it started (TERM, then KILL after 10 s)
#   deploy/lecture_hall.sh status   which of its processes are alive
#
# Settings (environment): LH_PORT (HAProxy, 8500), LH_APP1_PORT / LH_APP2_PORT (8501, 8502),
# LH_DASK_PORT (8786), LH_HOST (127.0.0.1), LH_RUN (pid files and logs, /tmp/cnn-explorer-hall),
# CNN_EXPLORER_DATA (the shared data folder, data/ of this checkout), CNN_EXPLORER_MAX_JOBS
# (trainings at once in the whole hall, 2), PYTHON (python3), LH_DASK (1; 0: no Dask scheduler
# and workers, the trainings run in the app processes: on a 2-core server the students' pages
# were answered faster so, bench/README.md "The class again"). Needs haproxy on the PATH
# (Debian: apt-get install haproxy) and `pip install -r requirements.txt`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
RUN=${LH_RUN:-/tmp/cnn-explorer-hall}
HOST=${LH_HOST:-127.0.0.1}
PY=${PYTHON:-python3}
APP_PORTS=("${LH_APP1_PORT:-8501}" "${LH_APP2_PORT:-8502}")
DASK_PORT=${LH_DASK_PORT:-8786}
export LH_BIND="$HOST:${LH_PORT:-8500}" LH_APP1="$HOST:${APP_PORTS[0]}" LH_APP2="$HOST:${APP_PORTS[1]}"
export CNN_EXPLORER_DATA=${CNN_EXPLORER_DATA:-$ROOT/data}
DASK=${LH_DASK:-1}
if [ "$DASK" = 1 ]; then export CNN_EXPLORER_DASK_SCHEDULER="tcp://$HOST:$DASK_PORT"; else unset CNN_EXPLORER_DASK_SCHEDULER; fi
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"  # the workers import explorer from this checkout
# Two malloc arenas per app process instead of glibc's 16 on 2 cores: less freed memory
# kept resident (explorer/server/memory.py; bench/README.md "Memory").
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
# Processes started later are stopped first (HAProxy before the apps before the cluster).
NAMES=(scheduler worker-1 worker-2 app1 app2 haproxy)

launch() {  # launch NAME COMMAND...: in the background in a process group of its own, pid and log in $RUN
  local name=$1; shift
  setsid nohup "$@" >"$RUN/$name.log" 2>&1 &
  echo $! >"$RUN/$name.pid"
}

alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

wait_for() {  # wait_for NAME URL-or-scheduler: until it answers (90 s; a scheduler: with 2 workers)
  "$PY" - "$1" "$2" "$(cat "$RUN/$1.pid")" <<'PY'
import os, sys, time, urllib.request
what, target, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
end = time.monotonic() + 90
while time.monotonic() < end:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(f"{what} exited at start; see {what}.log in the run folder")
    try:
        if target.startswith("tcp://"):
            from distributed import Client
            with Client(target, timeout=5) as c:
                c.wait_for_workers(2, timeout=max(1, end - time.monotonic()))
            sys.exit(0)
        with urllib.request.urlopen(target, timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except Exception:
        time.sleep(0.3)
sys.exit(f"{what} did not answer at {target}; see {what}.log in the run folder")
PY
}

start() {
  command -v haproxy >/dev/null || { echo "haproxy is missing: apt-get install haproxy" >&2; exit 1; }
  for name in "${NAMES[@]}"; do
    if alive "$name"; then echo "$name is already running (pid $(cat "$RUN/$name.pid")): stop first" >&2; exit 1; fi
  done
  mkdir -p "$RUN" "$CNN_EXPLORER_DATA"
  # One cookie secret for every app process: a student moved to another process after a crash
  # keeps a valid XSRF cookie (uploads keep working).
  [ -s "$RUN/cookie-secret" ] || "$PY" -c "import secrets; print(secrets.token_hex(32))" >"$RUN/cookie-secret"
  [ "$DASK" = 1 ] && launch scheduler "$PY" -m dask scheduler --host "$HOST" --port "$DASK_PORT" --no-dashboard
  for i in $([ "$DASK" = 1 ] && echo 1 2); do
    # One training at a time per worker, on one thread, below the apps' priority (nice 10) when
    # they share a machine; --preload imports torch and the training code before the first run;
    # deploy/dask.yaml keeps glibc's memory settings (Dask's own made training 2-5 times slower).
    DASK_CONFIG="$ROOT/deploy/dask.yaml" OMP_NUM_THREADS=${LH_WORKER_THREADS:-1} launch "worker-$i" \
      nice -n 10 "$PY" -m dask worker \
      "tcp://$HOST:$DASK_PORT" --name "worker-$i" --nworkers 1 --nthreads 1 --no-dashboard \
      --host "$HOST" --preload explorer.train.runs
  done
  for i in 1 2; do
    STREAMLIT_SERVER_COOKIE_SECRET=$(cat "$RUN/cookie-secret") launch "app$i" "$PY" -m streamlit run \
      "$ROOT/app.py" --server.headless true --server.address "$HOST" \
      --server.port "${APP_PORTS[$((i - 1))]}" --browser.gatherUsageStats false --server.fileWatcherType none
  done
  launch haproxy haproxy -db -f "$ROOT/deploy/haproxy.cfg"
  for i in 1 2; do wait_for "app$i" "http://$HOST:${APP_PORTS[$((i - 1))]}/_stcore/health"; done
  wait_for haproxy "http://$LH_BIND/_stcore/health"
  if [ "$DASK" = 1 ]; then wait_for scheduler "$CNN_EXPLORER_DASK_SCHEDULER"; fi
  echo "The lecture hall answers at http://$LH_BIND (data folder: $CNN_EXPLORER_DATA; logs: $RUN)"
}

stop() {
  local pids=() name
  for ((i = ${#NAMES[@]} - 1; i >= 0; i--)); do
    name=${NAMES[$i]}
    # The whole group: a Dask worker's nanny and the worker process it started stop together.
    if alive "$name"; then pids+=("$(cat "$RUN/$name.pid")"); kill -TERM -- "-${pids[-1]}" 2>/dev/null || true; fi
    rm -f "$RUN/$name.pid"
  done
  for _ in $(seq 100); do
    local left=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left=1; done
    [ "$left" = 0 ] && return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
}

status() {
  for name in "${NAMES[@]}"; do
    if alive "$name"; then echo "$name: running (pid $(cat "$RUN/$name.pid"))"; else echo "$name: stopped"; fi
  done
}

case "${1:-}" in
  start) start || { echo "Stopping what was started." >&2; stop; exit 1; } ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
