#!/usr/bin/env bash
# Make sure Debian's haproxy is installed for the lecture-hall test (tests/test_lecture_hall.py),
# which starts deploy/lecture_hall.sh. Installs it with apt-get when missing and we are root;
# otherwise explains, and the test is skipped with the same reason.
set -euo pipefail
command -v haproxy >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "haproxy is missing: install Debian's package with 'sudo apt-get install haproxy' to run" >&2
  echo "the lecture-hall test (it is skipped until then)." >&2
  exit 0
fi
echo "Installing Debian's haproxy for the lecture-hall test (apt-get, as root)..."
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends haproxy >/dev/null 2>&1 || {
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends haproxy >/dev/null
}
