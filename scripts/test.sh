#!/usr/bin/env bash
# The whole test suite, on a fresh machine: install into a local prefix with the real installer
# (two environments, desktop entry under the prefix), then run pytest with coverage.
#   scripts/test.sh [pytest args…]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PREFIX="${AI_PLATFORM_TEST_PREFIX:-$PWD/.prefix}"
export XDG_DATA_HOME="$PREFIX/xdg-data" XDG_BIN_HOME="$PREFIX/bin"
./installer/install.sh --prefix "$PREFIX" --dev --skip-models
"$PREFIX/app-env/bin/python" scripts/build_assets.py >/dev/null
exec "$PREFIX/app-env/bin/python" -m pytest --cov=app --cov-report=term-missing:skip-covered -p no:cacheprovider "$@"
