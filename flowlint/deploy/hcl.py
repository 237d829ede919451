"""Terraform files -> a small, picklable model of what flowlint evaluates.

python-hcl2 (a maintained HCL2 grammar for lark, which flowlint already uses) parses the
text, and :mod:`flowlint.deploy.hcl_tree` turns its tree into this model, which the cache
stores: a warm run never imports lark or python-hcl2.

Only what deciding "which flow file is deployed with which substitutions" needs is kept:
``variable`` defaults, ``locals``, ``module`` calls, ``resource``/``data`` blocks (their
top-level attributes and nested blocks' attributes), ``output`` values, and the
attributes of ``.tfvars`` files.  Expressions become :class:`Expr` nodes; anything the
evaluator does not model (``for`` expressions, splats, unknown operators) becomes
``Expr("opaque")`` and evaluates to an unknown value, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flowlint.ir import Span

#: .tf files larger than this are reported (FL100), not parsed: real ones are a few KB, and
#: the parser's memory grows with the text.
MAX_TF_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Expr:
    """One expression node.

    kinds: ``lit`` (value: str/int/float/bool/None), ``tmpl`` (parts: literal str or Expr),
    ``ref`` (names: traversal like ("var", "x") or ("module", "m", "out"); index parts are
    Expr), ``call`` (name, args), ``obj`` (items: (key Expr, value Expr)), ``tuple`` (items),
    ``cond`` (args: test, yes, no), ``binop`` (name: operator, args), ``not``/``neg``
    (args), ``index`` (args: target, key), ``opaque`` (text: the source, for messages).
    """

    kind: str
    span: Span
    value: object = None
    name: str = ""
    names: tuple[object, ...] = ()
    args: tuple[Expr, ...] = ()
    items: tuple[tuple[Expr, Expr], ...] = ()
    parts: tuple[str | Expr, ...] = ()
    text: str = ""


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    span: Span  # the attribute's name
    expr: Expr


@dataclass(slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    span: Span  # the block's first line
    path: str
    attributes: dict[str, Attribute] = field(default_factory=lambda: {})
    blocks: list[Block] = field(default_factory=lambda: [])


@dataclass(slots=True)
class TfFile:
    """One parsed ``.tf`` or ``.tfvars`` file (``error`` set when it could not be parsed)."""

    path: str
    blocks: list[Block] = field(default_factory=lambda: [])
    #: Top-level attributes (``.tfvars`` files).
    attributes: dict[str, Attribute] = field(default_factory=lambda: {})
    error: str | None = None
    error_span: Span | None = None
