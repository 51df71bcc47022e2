"""Conditions of a workflow without ``eval``: an ``ast`` walk over a small, safe language.

Allowed: numbers, strings, True/False/None, names of state values, ``[a, b]`` lists, ``x[0]`` /
``x["key"]`` indexing, ``+ - * / // %``, comparisons (``== != < <= > >= in not in``), ``and or not``,
``a if c else b`` and the functions in ``FUNCTIONS``. No attributes, no lambdas, no comprehensions,
no powers: nothing reaches Python's object model, and nothing runs long (strings and lists built by
``*`` or ``+`` are capped). ``check(text)`` refuses what cannot run before a workflow starts;
``evaluate(text, names)`` runs it.
"""

from __future__ import annotations

import ast
import operator

MAX_CHARS = 1000
MAX_SIZE = 100_000  # the longest string or list an expression may build


class ExprError(ValueError):
    """An expression that is not allowed or that failed; the message says why."""


def _contains(container, item) -> bool:
    return str(item).lower() in str(container).lower()


FUNCTIONS = {
    "len": len, "str": str, "int": int, "float": float, "bool": bool, "abs": abs, "min": min, "max": max,
    "round": round, "lower": lambda s: str(s).lower(), "upper": lambda s: str(s).upper(),
    "strip": lambda s: str(s).strip(), "contains": _contains,
    "startswith": lambda s, p: str(s).startswith(str(p)), "endswith": lambda s, p: str(s).endswith(str(p)),
}
CONSTANTS = {"true": True, "false": False, "none": None}

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
            ast.NotIn: lambda a, b: a not in b}
_ALLOWED = (ast.Expression, ast.Constant, ast.Name, ast.Load, ast.List, ast.Tuple, ast.Subscript, ast.BinOp,
            ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.BoolOp, ast.And, ast.Or, ast.Compare, ast.IfExp,
            ast.Call, *_BINARY, *_COMPARE)


def parse(text: str) -> ast.Expression:
    """The checked tree of ``text``, or ExprError saying what is not allowed."""
    text = str(text).strip()
    if not text:
        raise ExprError("the expression is empty")
    if len(text) > MAX_CHARS:
        raise ExprError(f"the expression is longer than {MAX_CHARS} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"it is not an expression ({exc.msg})") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ExprError(f"{type(node).__name__} is not allowed in a condition")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
                name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
                raise ExprError(f"unknown function {name!r}; known: {', '.join(sorted(FUNCTIONS))}")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (str, int, float, bool, type(None))):
            raise ExprError(f"the constant {node.value!r} is not allowed")
    return tree


def names(text: str) -> set[str]:
    """The state names ``text`` reads (function names and constants left out)."""
    tree = parse(text)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree)
            if isinstance(n, ast.Name) and id(n) not in called and n.id.lower() not in CONSTANTS}


def evaluate(text: str, values: dict):
    """The value of ``text`` with ``values`` as its names."""
    tree = parse(text)
    try:
        return _eval(tree.body, values)
    except ExprError:
        raise
    except ZeroDivisionError:
        raise ExprError("division by zero") from None
    except (TypeError, ValueError, IndexError, KeyError) as exc:
        raise ExprError(f"{type(exc).__name__}: {exc}") from None


def _sized(value):
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_SIZE:
        raise ExprError(f"the result is longer than {MAX_SIZE} items")
    return value


def _eval(node: ast.AST, values: dict):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in values:
            return values[node.id]
        if node.id.lower() in CONSTANTS:
            return CONSTANTS[node.id.lower()]
        raise ExprError(f"unknown name {node.id!r}; the state has {', '.join(sorted(values)) or 'nothing'}")
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_eval(e, values) for e in node.elts]
    if isinstance(node, ast.Subscript):
        return _eval(node.value, values)[_eval(node.slice, values)]
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if isinstance(node.op, ast.Mult):  # "a" * 10**9 would fill the memory before _sized saw it
            seq, count = (left, right) if isinstance(left, (str, list)) else (right, left)
            if isinstance(seq, (str, list)) and isinstance(count, int) and len(seq) * count > MAX_SIZE:
                raise ExprError(f"the result is longer than {MAX_SIZE} items")
        return _sized(_BINARY[type(node.op)](left, right))
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, values)
        if isinstance(node.op, ast.Not):
            return not value
        return -value if isinstance(node.op, ast.USub) else +value
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            result = True
            for v in node.values:
                result = _eval(v, values)
                if not result:
                    return result
            return result
        result = False
        for v in node.values:
            result = _eval(v, values)
            if result:
                return result
        return result
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values)
        for op, comp in zip(node.ops, node.comparators):
            right = _eval(comp, values)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.IfExp):
        return _eval(node.body, values) if _eval(node.test, values) else _eval(node.orelse, values)
    if isinstance(node, ast.Call):
        return _sized(FUNCTIONS[node.func.id](*[_eval(a, values) for a in node.args]))
    raise ExprError(f"{type(node).__name__} is not allowed")
