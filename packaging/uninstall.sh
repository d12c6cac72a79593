#!/usr/bin/env bash
# Removes what install.sh put under your home. Your votes and settings stay in
# ~/.local/share/sidebyside unless you pass --purge.
set -euo pipefail
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
rm -rf "$HOME/.local/opt/sidebyside"
rm -f "$data_home/applications/sidebyside.desktop"
rm -f "$data_home"/icons/hicolor/*/apps/sidebyside.png "$data_home/icons/hicolor/scalable/apps/sidebyside.svg"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data_home/applications" || true
if [ "${1:-}" = "--purge" ]; then
  rm -rf "$data_home/sidebyside"
  echo "Removed Side by Side and its data."
else
  echo "Removed Side by Side. Your votes and settings are still in $data_home/sidebyside."
fi
