"""What every subcommand prints the same way: a UserError as one readable line on stderr (and, with
--json, one JSON object on stdout that scripts read), exit code 2."""

from __future__ import annotations

import json
import sys


def user_error(err, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"error": {"code": err.code, "message": str(err), "params": err.params}},
                         ensure_ascii=False, default=str), flush=True)
    print(f"error: {err}", file=sys.stderr)
    return 2
