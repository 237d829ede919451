"""python-hcl2's raw lark tree -> the model of :mod:`flowlint.deploy.hcl`.

We walk the tree rather than python-hcl2's dict output because tokens keep line and column,
and findings in ``.tf`` files must point at the exact key.  This module imports lark and
python-hcl2 at the top: it is imported only when a Terraform file has to be parsed.
"""

from __future__ import annotations

import os
import re
from functools import cache
from typing import TypeAlias, cast

import hcl2
from hcl2.postlexer import PostLexer
from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from flowlint.deploy.hcl import MAX_TF_BYTES, Attribute, Block, Expr, TfFile
from flowlint.ir import Span

#: python-hcl2's raw lark tree: rules and tokens.
Node: TypeAlias = "Tree[Token]"


@cache
def _parser() -> Lark:
    """python-hcl2's grammar and post-lexer, in a lark parser that does not propagate
    positions to every tree node: that bookkeeping is half of python-hcl2's parse time, and
    tokens keep their lines and columns (:func:`_span` finds a node's from its tokens)."""
    package = os.path.dirname(os.path.abspath(hcl2.__file__))
    # The built parser is cached where python-hcl2 caches its own (its package directory), not
    # in TMPDIR; lark only logs when it cannot write there, and builds the grammar each time.
    lark: Lark = Lark.open(os.path.join(package, "hcl2.lark"), parser="lalr",  # pyright: ignore[reportUnknownMemberType]
                           cache=os.path.join(package, ".flowlint_lark_cache.bin"),
                           propagate_positions=False, postlex=PostLexer())
    return lark


def parse_tf(path: str, text: str) -> TfFile:
    """Parse one Terraform file and read its blocks and attributes; never raises on bad
    input (``TfFile.error`` says what is wrong)."""
    if len(text) > MAX_TF_BYTES:
        return TfFile(path, error=f"file is too large to read (over {MAX_TF_BYTES // 2**20} MB)")
    source = text if text.endswith("\n") else text + "\n"  # the grammar wants a final newline
    try:
        tree: Node = _parser().parse(source)  # pyright: ignore[reportUnknownMemberType]
    except UnexpectedInput as error:
        line, column = getattr(error, "line", None), getattr(error, "column", None)
        span = Span(line, column, line, column + 1) if isinstance(line, int) and isinstance(column, int) and line > 0 \
            else None
        return TfFile(path, error=f"invalid HCL: {_short(str(error))}", error_span=span)
    except (LarkError, RecursionError, ValueError) as error:
        return TfFile(path, error=f"invalid HCL: {_short(str(error))}")
    result = TfFile(path)
    try:
        body = _child(tree, "body")
        if body is not None:
            _read_body(body, path, result.blocks, result.attributes)
    except RecursionError:
        return TfFile(path, error="expressions are nested too deeply to read")
    return result


def _short(message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else "syntax error"
    return first[:200]


def _span(node: Node | Token) -> Span:
    """From the node's first token to the end of its last one (new-line tokens aside)."""
    first = node
    while not isinstance(first, Token):
        for child in _kids(first):
            first = child
            break
        else:
            return Span(1, 1, 1, 2)
    last = node
    while not isinstance(last, Token):
        chosen: Node | Token | None = None
        for child in reversed(_kids(last)):
            if chosen is None or not _is_newline(child):
                chosen = child
                if not _is_newline(child):
                    break
        if chosen is None:
            break
        last = chosen
    line, column = first.line or 1, first.column or 1
    if isinstance(last, Token):
        return Span(line, column, last.end_line or line, last.end_column or column + 1)
    return Span(line, column, line, column + 1)


def _kids(node: Node) -> list[Node | Token]:
    """A node's children without the None that lark puts for an absent optional part."""
    children = cast("list[Node | Token | None]", node.children)
    return [c for c in children if c is not None]


def _is_newline(node: Node | Token) -> bool:
    if isinstance(node, Token):
        return node.type == "NL_OR_COMMENT"
    return node.data == "new_line_or_comment"


def _trees(node: Node) -> list[Node]:
    return [c for c in node.children if isinstance(c, Tree)]


def _child(node: Node, name: str) -> Node | None:
    for child in _trees(node):
        if child.data == name:
            return child
    return None


def _read_body(body: Node, path: str, blocks: list[Block], attributes: dict[str, Attribute]) -> None:
    for child in _trees(body):
        if child.data == "attribute":
            attribute = _attribute(child)
            if attribute is not None:
                attributes[attribute.name] = attribute
        elif child.data == "block":
            blocks.append(_block(child, path))


def _name_of(node: Node | Token) -> str:
    """Text of an identifier / keyword / literal_value / string node (labels, attribute names)."""
    if isinstance(node, Token):
        return str(node)
    if node.data == "string":
        return "".join(str(_string_chars(p)) for p in _trees(node) if p.data == "string_part")
    for child in node.children:
        return _name_of(child)
    return ""


def _attribute(node: Node) -> Attribute | None:
    children = _trees(node)
    if len(children) < 2:
        return None
    return Attribute(_name_of(children[0]), _span(children[0]), expression(children[-1]))


def _block(node: Node, path: str) -> Block:
    children = _trees(node)
    head = [c for c in children if c.data != "body" and c.data != "new_line_or_comment"]
    body = _child(node, "body")
    kind = _name_of(head[0]) if head else ""
    block = Block(kind, tuple(_name_of(h) for h in head[1:]), _span(head[0]) if head else _span(node), path)
    if body is not None:
        nested_attributes: dict[str, Attribute] = {}
        _read_body(body, path, block.blocks, nested_attributes)
        block.attributes = nested_attributes
    return block


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        body = match.group(1)
        if body[0] in "uU" and len(body) > 1:
            return chr(int(body[1:], 16))
        return _ESCAPES.get(body, "\\" + body)

    return _ESCAPE_RE.sub(one, text) if "\\" in text else text


def _string_chars(part: Node) -> str | Expr:
    """One string_part: literal text (escapes decoded, ``$${`` -> ``${``) or an Expr."""
    for child in part.children:
        if isinstance(child, Token):
            if child.type == "ESCAPED_INTERPOLATION":
                return str(child)[1:]
            if child.type == "ESCAPED_DIRECTIVE":
                return str(child)[1:]
            return _unescape(str(child))
        if child.data == "interpolation":
            inner = _trees(child)
            return expression(inner[0]) if inner else Expr("opaque", _span(child), text="${}")
        return Expr("opaque", _span(child), text="%{...}")  # template directives: not modelled
    return ""


def _template(parts: list[str | Expr], span: Span) -> Expr:
    merged: list[str | Expr] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + part
        elif part != "":
            merged.append(part)
    if not merged:
        return Expr("lit", span, value="")
    if len(merged) == 1 and isinstance(merged[0], str):
        return Expr("lit", span, value=merged[0])
    return Expr("tmpl", span, parts=tuple(merged))


_HEREDOC_RE = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\r?\n(.*?)\r?\n?[ \t]*\1\r?\n?$", re.DOTALL)
_INTERP_RE = re.compile(r"\$\$\{|\$\{([^{}]*)\}")


def _heredoc(token_text: str, span: Span, trim: bool) -> Expr:
    match = _HEREDOC_RE.match(token_text)
    if match is None:
        return Expr("opaque", span, text="heredoc")
    body = match.group(2)
    if trim:
        lines = body.split("\n")
        indent = min((len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()), default=0)
        body = "\n".join(line[indent:] for line in lines)
    body += "\n"
    parts: list[str | Expr] = []
    last = 0
    for found in _INTERP_RE.finditer(body):
        parts.append(body[last:found.start()])
        if found.group(0) == "$${":
            parts.append("${")
        else:
            parts.append(_reference_text(found.group(1).strip(), span))
        last = found.end()
    parts.append(body[last:])
    return _template(parts, span)


_TRAVERSAL_RE = re.compile(r"^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$")


def _reference_text(text: str, span: Span) -> Expr:
    """An interpolation inside a heredoc: a plain traversal is modelled, anything else is opaque."""
    if _TRAVERSAL_RE.match(text):
        return Expr("ref", span, names=tuple(text.split(".")), text=text)
    return Expr("opaque", span, text=text)


def expression(node: Node | Token) -> Expr:
    """Convert one lark expression node into an :class:`Expr`."""
    span = _span(node)
    if isinstance(node, Token):
        return Expr("opaque", span, text=str(node))
    data = node.data
    trees = _trees(node)
    if data in ("expr_term", "object_elem_key"):
        tokens = [c for c in node.children if isinstance(c, Token)]
        if tokens and tokens[0].type == "LPAR" and trees:  # ( expression )
            inner = [t for t in trees if t.data != "new_line_or_comment"]
            return expression(inner[0]) if inner else Expr("opaque", span)
        inner = [t for t in trees if t.data != "new_line_or_comment"]
        if len(inner) == 1:
            return expression(inner[0])
        return Expr("opaque", span, text=data)
    if data == "string":
        return _template([_string_chars(p) for p in trees if p.data == "string_part"], span)
    if data == "int_lit":
        return Expr("lit", span, value=int(str(node.children[0])))
    if data == "float_lit":
        return Expr("lit", span, value=float(str(node.children[0])))
    if data == "literal_value":
        word = str(node.children[0])
        return Expr("lit", span, value={"true": True, "false": False}.get(word))
    if data in ("identifier", "keyword"):
        return Expr("ref", span, names=(_name_of(node),), text=_name_of(node))
    if data == "get_attr_expr_term":
        target = expression(trees[0])
        attr = _child(node, "get_attr")
        name = _name_of(_trees(attr)[0]) if attr is not None and _trees(attr) else ""
        if target.kind == "ref":
            return Expr("ref", span, names=(*target.names, name), text=f"{target.text}.{name}")
        return Expr("index", span, args=(target, Expr("lit", span, value=name)))
    if data == "index_expr_term":
        target = expression(trees[0])
        index = trees[1] if len(trees) > 1 else None
        if index is None:
            return Expr("opaque", span)
        if index.data == "short_index":
            key: Expr = Expr("lit", span, value=int(str(index.children[-1])))
        else:
            inner = [t for t in _trees(index) if t.data != "new_line_or_comment"]
            key = expression(inner[0]) if inner else Expr("opaque", span)
        return Expr("index", span, args=(target, key))
    if data == "function_call":
        name = _name_of(trees[0])
        arguments = _child(node, "arguments")
        args = tuple(expression(t) for t in _trees(arguments) if t.data != "new_line_or_comment") \
            if arguments is not None else ()
        return Expr("call", span, name=name, args=args)
    if data == "object":
        items: list[tuple[Expr, Expr]] = []
        for element in trees:
            if element.data != "object_elem":
                continue
            parts = _trees(element)
            if len(parts) >= 2:
                key_expr = expression(parts[0])
                if key_expr.kind == "ref" and len(key_expr.names) == 1:  # a bare key is its name
                    key_expr = Expr("lit", key_expr.span, value=key_expr.names[0])
                items.append((key_expr, expression(parts[-1])))
        return Expr("obj", span, items=tuple(items))
    if data == "tuple":
        return Expr("tuple", span, args=tuple(expression(t) for t in trees if t.data != "new_line_or_comment"))
    if data == "conditional":
        inner = [t for t in trees if t.data != "new_line_or_comment"]
        if len(inner) == 3:
            return Expr("cond", span, args=tuple(expression(t) for t in inner))
        return Expr("opaque", span)
    if data == "binary_op":
        inner = [t for t in trees if t.data != "new_line_or_comment"]
        if len(inner) == 2 and inner[1].data == "binary_term":
            term = [t for t in _trees(inner[1]) if t.data != "new_line_or_comment"]
            if len(term) == 2:
                operator = "".join(str(c) for c in term[0].children)
                return Expr("binop", span, name=operator.strip(), args=(expression(inner[0]), expression(term[1])))
        return Expr("opaque", span)
    if data == "unary_op":
        operator = str(node.children[0])
        return Expr("not" if operator == "!" else "neg", span, args=(expression(trees[0]),))
    if data in ("heredoc_template", "heredoc_template_trim"):
        return _heredoc(str(node.children[0]), span, data.endswith("trim"))
    return Expr("opaque", span, text=data)
