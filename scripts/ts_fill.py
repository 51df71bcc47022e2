"""Fill translations into a Qt Linguist .ts file from a JSON object {source: translation}.

    python scripts/ts_fill.py i18n/ai_platform_zh_CN.ts < new-translations.json
    python scripts/ts_fill.py i18n/ai_platform_zh_CN.ts --list-unfinished

Only unfinished entries are filled unless --overwrite; the file is written atomically.
"""

from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from app.core.paths import atomic_write_bytes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("ts")
    parser.add_argument("--list-unfinished", action="store_true")
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()
    tree = ET.parse(args.ts)
    if args.list_unfinished:
        for msg in tree.iter("message"):
            tr = msg.find("translation")
            if tr is not None and tr.get("type") == "unfinished":
                print(json.dumps(msg.find("source").text, ensure_ascii=False))
        return
    table = json.load(sys.stdin)
    filled = missing = 0
    for msg in tree.iter("message"):
        src = msg.find("source").text
        tr = msg.find("translation")
        if tr is None or (tr.get("type") != "unfinished" and not args.overwrite):
            continue
        if src in table:
            tr.text = table[src]
            tr.attrib.pop("type", None)
            filled += 1
        else:
            missing += 1
    ET.indent(tree)
    data = ET.tostring(tree.getroot(), encoding="utf-8")
    header = b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
    atomic_write_bytes(Path(args.ts), header + data + b"\n")
    print(f"filled {filled}, still unfinished {missing}")


if __name__ == "__main__":
    main()
