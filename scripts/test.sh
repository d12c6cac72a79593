#!/usr/bin/env bash
# Installs everything the test suite needs and runs the whole suite.
#   Debian packages (as root, or through sudo): Xvfb, D-Bus and gnome-keyring for a real window and
#   a real SecretService keyring, the X libraries Qt needs, and Chromium (the HTML report is
#   rendered in it headless), and PostgreSQL (the team tests start a throwaway cluster of it).
#   Python packages: this project with its `test` extra, in .venv.
# Then runs pytest inside a D-Bus session with an unlocked gnome-keyring, under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools desktop-file-utils
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1 fonts-dejavu-core cmake build-essential
  xdotool x11-utils chromium postgresql)
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  missing=$(dpkg-query -W -f='${Package} ${Status}\n' "${DEBIAN_PACKAGES[@]}" 2>/dev/null \
    | awk '$NF != "installed" {print $1}'; for p in "${DEBIAN_PACKAGES[@]}"; do
      dpkg-query -W "$p" >/dev/null 2>&1 || echo "$p"; done)
  if [ -n "$missing" ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      "${DEBIAN_PACKAGES[@]}" >/dev/null
  fi
fi

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# llama-cpp-python compiles llama.cpp on first install (about 12 minutes); pip caches the wheel.
CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
  .venv/bin/python -m pip install -q -e ".[test]"

# The layering (pyproject.toml's import-linter contracts) and the lint hold before any test runs.
.venv/bin/lint-imports --no-cache
.venv/bin/ruff check desktop tests bench

export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
set +e
# The keyring daemon keeps its files in a throwaway folder: a fresh, unlocked login keyring every
# run, whatever keyrings this machine already has.
KEYRING_HOME=$(mktemp -d)
trap 'rm -rf "$KEYRING_HOME"' EXIT
export KEYRING_HOME
dbus-run-session -- sh -c '
  echo -n test-keyring-password | XDG_DATA_HOME="$KEYRING_HOME" \
    gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m pytest "$@"
' sh "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests" >&2
fi
exit "$status"
