#!/usr/bin/env bash
# Installs the bundle for the current user (no root): the app under ~/.local/opt/sidebyside,
# a menu entry and the icon, so Side by Side opens from the desktop menu.
#   ./packaging/install.sh [BUNDLE_DIR]    default: packaging/dist/sidebyside
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bundle="${1:-$here/dist/sidebyside}"
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
prefix="$HOME/.local/opt/sidebyside"
if [ ! -x "$bundle/sidebyside" ]; then
  echo "No bundle at $bundle: build it first with packaging/build.sh." >&2
  exit 1
fi
mkdir -p "$(dirname "$prefix")" "$data_home/applications"
rm -rf "$prefix.new"
cp -a "$bundle" "$prefix.new"
rm -rf "$prefix"
mv "$prefix.new" "$prefix"
icons="$prefix/_internal/desktop/resources/icons"
for png in "$icons"/sidebyside-*.png; do
  size=$(basename "$png" .png); size=${size#sidebyside-}
  mkdir -p "$data_home/icons/hicolor/${size}x${size}/apps"
  cp "$png" "$data_home/icons/hicolor/${size}x${size}/apps/sidebyside.png"
done
mkdir -p "$data_home/icons/hicolor/scalable/apps"
cp "$icons/sidebyside.svg" "$data_home/icons/hicolor/scalable/apps/sidebyside.svg"
sed "s|@EXEC@|$prefix/sidebyside|g" "$prefix/_internal/desktop/resources/sidebyside.desktop" \
  > "$data_home/applications/sidebyside.desktop"
chmod 644 "$data_home/applications/sidebyside.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data_home/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data_home/icons/hicolor" || true
echo "Installed Side by Side to $prefix; open it from your desktop menu."
