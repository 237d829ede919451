"""Catalog checks of a function call: unknown name (FL102) and wrong argument count (FL107).

One place for both ``flowlint check`` (rules FL102 and FL107, per call of every expression of
a flow) and ``flowlint expr`` (the calls of one expression), so that the two report the same
codes, messages and spans.
"""

from __future__ import annotations

from typing import NamedTuple

from flowlint.expressions.analysis import calls
from flowlint.expressions.ast import Call, Expr
from flowlint.expressions.catalog import lookup, suggest

UNKNOWN_FUNCTION = "FL102"
WRONG_ARITY = "FL107"


class CallProblem(NamedTuple):
    #: The rule code: :data:`UNKNOWN_FUNCTION` or :data:`WRONG_ARITY`.
    code: str
    message: str
    #: Offsets into the expression text: the function's name (FL102) or the whole call (FL107).
    start: int
    end: int


def unknown_function(call: Call) -> CallProblem | None:
    """A problem when ``call`` names no function of the catalog, with a did-you-mean."""
    if lookup(call.name) is not None:
        return None
    nearest = suggest(call.name)
    hint = f" (did you mean {' or '.join(nearest)}?)" if nearest else ""
    return CallProblem(UNKNOWN_FUNCTION, f"unknown function '{call.name}'{hint}", call.start, call.name_end)


def wrong_arity(call: Call) -> CallProblem | None:
    """A problem when ``call`` gives a known function an argument count none of its forms takes.

    Functions whose signature the catalog does not know (``Random``) accept any count.
    """
    function = lookup(call.name)
    if function is None or function.accepts(len(call.args)):
        return None
    plural = "" if function.arity_text in ("1", "at least 1") else "s"
    return CallProblem(WRONG_ARITY, f"{function.name} takes {function.arity_text} argument{plural}, "
                       f"not {len(call.args)}", call.start, call.end)


def call_problems(ast: Expr) -> list[CallProblem]:
    """Every FL102 and FL107 problem of the expression, in source order of the calls."""
    found: list[CallProblem] = []
    for call in calls(ast):
        for check in (unknown_function, wrong_arity):
            problem = check(call)
            if problem is not None:
                found.append(problem)
    return found
