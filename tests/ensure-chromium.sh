#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests.
# Installs it with apt-get when it is missing and we are root; otherwise explains what to do.
# (Never `playwright install`: that downloads a browser build from outside the registries.)
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "Chromium is missing: install Debian's package with 'sudo apt-get install chromium'" >&2
  echo "(or set CNN_EXPLORER_CHROMIUM to a Chromium binary), then run the tests again." >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser tests..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
