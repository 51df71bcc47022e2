"""Imports point one way (DESIGN.md, docs/architecture.md §1), read from the source: every import
statement, those inside functions included, so a lazy import cannot hide a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

APP = REPO / "app"

# Which of app's packages each package may import (besides the `app` package itself).
ALLOWED = {
    "core": {"core"},
    "knowledge": {"core", "knowledge"},
    "training": {"core", "training"},
    "serving": {"core", "serving"},
    "agents": {"core", "knowledge", "agents"},
    "evaluation": {"core", "training", "knowledge", "evaluation"},
    "export": {"core", "export"},
    "engines": {"core", "knowledge", "training", "serving", "agents", "evaluation", "export"},
    "commands": {"core", "knowledge", "training", "serving", "agents", "evaluation", "commands"},
    "workers": {"core", "workers"},
    "views": {"core", "workers", "views"},
}


def app_imports(path: Path) -> set[str]:
    """The app modules ``path`` imports, as dotted names (``app.core.protocol``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("app.")}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "app":
                found |= {f"app.{a.name}" for a in node.names}
            elif node.module.startswith("app."):
                found.add(node.module)
    return found


def sources(package: str) -> list[Path]:
    return sorted(p for p in (APP / package).rglob("*.py") if "_assets" not in p.parts)


def test_packages_import_only_the_layers_below_them():
    wrong = []
    for package, allowed in ALLOWED.items():
        for path in sources(package):
            for module in app_imports(path):
                target = module.split(".")[1]
                if (APP / target).is_dir() and target not in allowed:
                    wrong.append(f"{path.relative_to(REPO)} imports {module}")
    assert not wrong, wrong


def test_every_package_is_placed():
    packages = {p.name for p in APP.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(ALLOWED), "add the new package to ALLOWED (and to docs/architecture.md §1)"


def test_engines_holds_entry_points_only_and_none_imports_another():
    for path in sources("engines"):
        if path.name == "__init__.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert 'if __name__ == "__main__":' in text and "def main(" in text, f"{path.name} is not an entry point"
        others = [m for m in app_imports(path) if m.startswith("app.engines")]
        assert not others, f"{path.name} imports {others}: shared code belongs in a library package"
