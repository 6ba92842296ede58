#!/usr/bin/env bash
# Make sure Debian's Chromium (and an emoji font for the page icons) is installed for the
# browser tests. Installs them with apt-get when missing and we are root; otherwise explains.
# (Never `playwright install`: that downloads a browser build from outside the registries.)
set -euo pipefail
has_chromium() { command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; }
has_fonts() { [ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; }
is_root() { [ "$(id -u)" = "0" ]; }

if has_chromium && { has_fonts || ! is_root; }; then
  exit 0  # the emoji font is nice to have; only root can add it
fi
if ! is_root; then
  echo "Chromium is missing: install Debian's package with 'sudo apt-get install chromium'" >&2
  echo "(or set CNN_EXPLORER_CHROMIUM to a Chromium binary), then run the tests again." >&2
  exit 1
fi
echo "Installing Debian's chromium and fonts for the browser tests (apt-get, as root)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core fonts-noto-color-emoji >/dev/null
