"""Compile translations and copy icons/styles into the package (app/views/_assets/).

Run by the installer and the test script; safe to run again (it only rebuilds what changed).
    python scripts/build_assets.py [--update-ts]
--update-ts first runs pyside6-lupdate over app/ to refresh i18n/*.ts with new source strings.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "app" / "views" / "_assets"
LANGUAGES = ("zh_CN", "en")


def tool(name: str) -> str:
    """pyside6-* tools sit beside the interpreter of the environment that has PySide6."""
    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        sys.exit(f"{name} not found: install PySide6-Essentials in this environment")
    return found


def update_ts() -> None:
    sources = sorted(str(p.relative_to(REPO)) for p in (REPO / "app").rglob("*.py")
                     if "_assets" not in p.parts)
    for lang in LANGUAGES:
        ts = REPO / "i18n" / f"ai_platform_{lang}.ts"
        cmd = [tool("pyside6-lupdate"), "-no-obsolete", "-locations", "none", *sources, "-ts", str(ts)]
        if lang == "en":
            cmd.insert(1, "-pluralonly")
        subprocess.run(cmd, cwd=REPO, check=True)


def build() -> None:
    (OUT / "i18n").mkdir(parents=True, exist_ok=True)
    for ts in sorted((REPO / "i18n").glob("*.ts")):
        qm = OUT / "i18n" / (ts.stem + ".qm")
        if not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime:
            subprocess.run([tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)
    for sub in ("icons", "styles", "samples"):
        dest = OUT / sub
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(REPO / "resources" / sub, dest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update-ts", action="store_true")
    args = parser.parse_args()
    if args.update_ts:
        update_ts()
    build()
    print(f"assets built in {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
