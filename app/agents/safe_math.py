"""Arithmetic without ``eval``: an ``ast`` walk over numbers, + - * / // % **, unary signs,
parentheses and a few math functions. Anything else is refused with a message the model can act
on. Huge results are refused before they are computed (``9**9**9`` would hang the engine)."""

from __future__ import annotations

import ast
import math
import operator

MAX_CHARS = 500
MAX_EXPONENT = 10_000
MAX_INT_BITS = 100_000  # ~30,000 decimal digits: enough for any sum a person asks

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
FUNCTIONS = {"sqrt": math.sqrt, "abs": abs, "round": round, "floor": math.floor, "ceil": math.ceil,
             "exp": math.exp, "log": math.log, "log10": math.log10, "log2": math.log2, "sin": math.sin,
             "cos": math.cos, "tan": math.tan, "min": min, "max": max}
CONSTANTS = {"pi": math.pi, "e": math.e}


class CalcError(ValueError):
    """An expression this calculator will not or cannot evaluate; the message says why."""


def evaluate(expression: str) -> int | float:
    text = str(expression).strip()
    if not text:
        raise CalcError("empty expression")
    if len(text) > MAX_CHARS:
        raise CalcError(f"expression longer than {MAX_CHARS} characters")
    text = text.replace("×", "*").replace("÷", "/").replace("−", "-")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise CalcError(f"not an arithmetic expression: {text!r}") from None
    try:
        return _eval(tree.body)
    except ZeroDivisionError:
        raise CalcError("division by zero") from None
    except OverflowError:
        raise CalcError("the result is too large") from None
    except (ValueError, TypeError) as exc:
        if isinstance(exc, CalcError):
            raise
        raise CalcError(f"math error: {exc}") from None


def _eval(node: ast.AST) -> int | float:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise CalcError(f"only numbers are allowed, not {node.value!r}")
        return node.value
    if isinstance(node, ast.BinOp):
        op = _BINARY.get(type(node.op))
        if op is None:
            hint = " (use ** for powers)" if isinstance(node.op, ast.BitXor) else ""
            raise CalcError(f"operator {type(node.op).__name__} is not allowed{hint}")
        left, right = _eval(node.left), _eval(node.right)
        if op is operator.pow:
            _check_power(left, right)
        elif (op is operator.mul and isinstance(left, int) and isinstance(right, int)
              and abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS):
            raise CalcError("the result is too large")
        return op(left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand))
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        raise CalcError(f"unknown name {node.id!r}; known: {', '.join(CONSTANTS)}")
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS or node.keywords:
            raise CalcError(f"unknown function {name or ast.unparse(node.func)!r}; "
                            f"known: {', '.join(sorted(FUNCTIONS))}")
        return FUNCTIONS[name](*[_eval(a) for a in node.args])
    raise CalcError(f"{type(node).__name__} is not allowed in an arithmetic expression")


def _check_power(base, exponent) -> None:
    if abs(exponent) > MAX_EXPONENT:
        raise CalcError(f"exponent larger than {MAX_EXPONENT}")
    if (isinstance(base, int) and isinstance(exponent, int) and exponent > 0
            and abs(base).bit_length() * exponent > MAX_INT_BITS):
        raise CalcError("the result is too large")


def format_number(value: float) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    return str(value)
