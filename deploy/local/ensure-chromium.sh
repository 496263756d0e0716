#!/usr/bin/env bash
# The dashboard's browser test drives Debian's Chromium with playwright-core (a test tool's own
# browser download cannot reach its host here). Installs it when missing; a no-op otherwise.
set -euo pipefail
browser="${LOOPER_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "ensure-chromium: $browser is missing and apt-get is not available; install Chromium and set LOOPER_CHROMIUM to its path" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
echo "ensure-chromium: installing Debian's chromium (for the dashboard's browser test)"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
"$browser" --version
