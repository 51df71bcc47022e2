#!/usr/bin/env bash
# Remove AI Platform: the environments, the launcher, the desktop entry and the icon.
# Your data (projects, runs, models, chats) stays unless you pass --purge.
set -euo pipefail

PREFIX="${HOME}/.local/opt/ai-platform"
PURGE=0
YES=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --purge) PURGE=1; shift ;;
    -y|--yes) YES=1; shift ;;
    -h|--help) echo "Usage: installer/uninstall.sh [--prefix DIR] [--purge [--yes]]"; exit 0 ;;
    *) echo "uninstall.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done

[ -d "$PREFIX" ] || { echo "Nothing installed at $PREFIX"; exit 0; }
MANIFEST="$PREFIX/install-manifest.txt"

DATA_DIR=""
if [ "$PURGE" = 1 ] && [ -x "$PREFIX/app-env/bin/python" ]; then
  DATA_DIR="$("$PREFIX/app-env/bin/python" -c 'from app.core import paths; print(paths.home())' 2>/dev/null || true)"
fi

if [ -f "$MANIFEST" ]; then
  while IFS= read -r f; do
    [ -n "$f" ] && rm -f -- "$f" && echo "removed $f"
  done < "$MANIFEST"
fi
rm -rf -- "$PREFIX/app-env" "$PREFIX/vllm-env"
rm -f -- "$MANIFEST"
rmdir -- "$PREFIX" 2>/dev/null || true
echo "removed the environments in $PREFIX"

if [ "$PURGE" = 1 ] && [ -n "$DATA_DIR" ] && [ -d "$DATA_DIR" ]; then
  if [ "$YES" = 1 ]; then answer=y; else read -r -p "Delete all data in $DATA_DIR? [y/N] " answer; fi
  case "$answer" in y|Y|yes) rm -rf -- "$DATA_DIR"; echo "removed $DATA_DIR" ;; *) echo "kept $DATA_DIR" ;; esac
elif [ "$PURGE" = 0 ]; then
  echo "Your data was kept. Remove it with --purge, or delete the data folder shown in Settings."
fi
