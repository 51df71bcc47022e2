"""Where compiled assets (translations, icons, style sheets) are found.

The build step (``scripts/build_assets.py``, run by the installer and the test script) compiles
``i18n/*.ts`` to ``.qm`` and ``resources/`` into ``app/views/_assets/``, so a non-editable install
carries them inside the package.
"""

from __future__ import annotations

from pathlib import Path

ASSET_DIR = Path(__file__).resolve().parent / "_assets"


def qm_path(language: str) -> str:
    return str(ASSET_DIR / "i18n" / f"ai_platform_{language}.qm")


def icon_path(name: str) -> str:
    return str(ASSET_DIR / "icons" / f"{name}.svg")


def style_path(theme: str) -> str:
    return str(ASSET_DIR / "styles" / f"{theme}.qss")


def built() -> bool:
    return (ASSET_DIR / "icons").is_dir()
