#!/usr/bin/env bash
# Builds the one-folder bundle (packaging/dist/sidebyside/) and a .tar.gz of it.
#   ./packaging/build.sh            uses .venv (created and filled if missing)
# The same spec builds on macOS (a .app) and Windows (a folder with sidebyside.exe);
# see README "Install the app".
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || { python3 -m venv .venv; }
"$PY" -m pip install -q -e ".[package]"
"$PY" -m PyInstaller --noconfirm --log-level WARN \
  --distpath packaging/dist --workpath packaging/build packaging/sidebyside.spec
version=$("$PY" -c "import desktop; print(desktop.__version__)")
arch=$(uname -m)
tarball="packaging/dist/sidebyside-${version}-linux-${arch}.tar.gz"
tar -C packaging/dist -czf "$tarball" sidebyside
du -sh packaging/dist/sidebyside "$tarball"
