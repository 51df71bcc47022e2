"""clicked(bool) and triggered(bool) pass ``checked`` to the slot: a slot whose first parameter is an
optional path or size then gets False (the Export buttons of Experiments did nothing because of it).
Such slots are connected through a lambda; this test finds any that is not."""

from __future__ import annotations

import ast
import re
from pathlib import Path

VIEWS = Path(__file__).resolve().parents[2] / "app" / "views"
# Slots that do want the checked state.
WANTS_CHECKED = {"set_sidebar_collapsed"}


def test_no_button_passes_its_checked_state_as_an_argument():
    offenders = []
    for path in sorted(VIEWS.glob("*.py")):
        src = path.read_text(encoding="utf-8")
        optional = {}
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.FunctionDef) and len(node.args.args) > 1 and node.args.defaults:
                first = node.args.args[1].arg
                optional[node.name] = first
        for m in re.finditer(r"\.(clicked|triggered)\.connect\(self\.(\w+)\)", src):
            name = m.group(2)
            if name in optional and name not in WANTS_CHECKED:
                offenders.append(f"{path.name}: {m.group(0)} ({name}({optional[name]}=…) would get checked=False)")
    assert not offenders, offenders
