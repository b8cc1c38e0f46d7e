#!/usr/bin/env bash
# Debian chromium + CJK fonts for the dashboard's browser test (never `playwright install`).
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi 'Noto.*CJK'; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "install-browser: not root, skipping (browser tests will skip)"; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq chromium fonts-noto-cjk fontconfig >/dev/null
