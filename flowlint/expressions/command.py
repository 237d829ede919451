"""``flowlint expr``: parse expressions from the command line or a JSON-lines stream.

Only click is imported at module level: the parser loads when the command runs, so
registering the command costs ``flowlint`` nothing at start-up.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

import click

if TYPE_CHECKING:
    from flowlint.expressions.ast import Expr
    from flowlint.expressions.checks import CallProblem
    from flowlint.expressions.parser import ParseResult

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


@click.command(name="expr")
@click.argument("expression", required=False)
@click.option("--json", "json_lines", is_flag=True,
              help="Read one JSON-encoded string per line on stdin; write one JSON object per line.")
def expr(expression: str | None, json_lines: bool) -> None:
    """Parse an Architect EXPRESSION: show its tree, the variables it reads and its type.

    Calls of functions Architect does not have (FL102) and calls with a wrong number of
    arguments (FL107) are reported as `flowlint check` reports them.

    Exit status: 0 when every expression is valid and has no finding, 1 when one is invalid
    or has a finding, 2 on usage errors. Put `--` before an expression that starts with '-'.
    """
    if json_lines and expression is not None:
        raise click.UsageError("give an EXPRESSION or --json (expressions on stdin), not both")
    if not json_lines and expression is None:
        raise click.UsageError("give an EXPRESSION, or --json to read expressions from stdin")
    if expression is not None:
        sys.exit(_explain(expression))
    sys.exit(_json_stream(sys.stdin, sys.stdout))


def _explain(text: str) -> int:
    from flowlint.expressions.analysis import infer_type, variables_read
    from flowlint.expressions.parser import line_col, parse_expression
    from flowlint.expressions.printer import to_text

    result = parse_expression(text)
    if result.ast is None:
        click.echo(_error_report(result))
        return EXIT_INVALID
    click.echo(to_text(result.ast))
    click.echo("")
    click.echo(_tree(result.ast))
    refs = variables_read(result.ast)
    click.echo("")
    click.echo("variables: " + (", ".join(
        "{} ({}:{})".format(ref.name, *line_col(text, ref.start)) for ref in refs) or "none"))
    click.echo(f"type: {infer_type(result.ast) or 'unknown'}")
    problems = _problems(result.ast)
    if problems:
        click.echo("")
    for problem in problems:
        line, column = line_col(text, problem.start)
        click.echo(f"{line}:{column}: {problem.code} [{_severity(problem.code)}] {problem.message}")
    return EXIT_INVALID if problems else EXIT_OK


def _problems(ast: Expr) -> list[CallProblem]:
    from flowlint.expressions.checks import call_problems

    return call_problems(ast)


def _severity(code: str) -> str:
    """The rule's default severity, as `flowlint check` shows it without a configuration."""
    from flowlint.registry import rule_info

    return rule_info(code).severity.value


def _error_report(result: ParseResult) -> str:
    """The error message, its position, and the offending line with a caret underneath."""
    from flowlint.expressions.parser import line_col

    error = result.error
    assert error is not None
    text = result.text
    line, column = line_col(text, error.offset)
    source = text.split("\n")[line - 1].rstrip("\r")
    end_line, end_column = line_col(text, error.end_offset)
    width = max(1, (end_column if end_line == line else len(source) + 1) - column)
    # Tabs keep their width on the caret line so the caret stays under the character.
    pad = "".join(c if c == "\t" else " " for c in source[: column - 1])
    return f"error at {line}:{column}: {error.message}\n  {source}\n  {pad}{'^' * width}"


def _tree(node: Expr, indent: str = "") -> str:
    from flowlint.expressions.ast import (
        Binary, Call, Index, Literal, LiteralKind, Member, Placeholder, Ternary, Unary, Variable,
        children,
    )  # fmt: skip
    from flowlint.expressions.printer import quote

    match node:
        case Literal(kind=kind, value=value):
            label = f"Literal {kind.value} {quote(value) if kind == LiteralKind.STRING else value}"
        case Variable(name=name):
            label = f"Variable {name}"
        case Placeholder(text=text):
            label = f"Placeholder {text}"
        case Member(name=name, quoted=quoted):
            label = f"Member .{quote(name) if quoted else name}"
        case Index():
            label = "Index"
        case Call(name=name, args=args):
            label = f"Call {name} ({len(args)} argument{'' if len(args) == 1 else 's'})"
        case Unary(op=op):
            label = f"Unary {op}"
        case Binary(op=op):
            label = f"Binary {op}"
        case Ternary():
            label = "Ternary ?:"
    lines = [f"{indent}{label}  [{node.start}:{node.end}]"]
    lines.extend(_tree(child, indent + "  ") for child in children(node))
    return "\n".join(lines)


def _json_stream(stdin: TextIO, stdout: TextIO) -> int:
    status = EXIT_OK
    for number, raw in enumerate(stdin, start=1):
        if not raw.strip():
            continue
        try:
            text: Any = json.loads(raw)
        except ValueError:
            text = None
        if not isinstance(text, str):
            record = _record(False, f"input line {number} is not a JSON-encoded string")
            status = EXIT_USAGE
        else:
            record = _json_record(text)
            if (not record["ok"] or record["findings"]) and status == EXIT_OK:
                status = EXIT_INVALID
        stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    return status


def _record(ok: bool, error: str | None) -> dict[str, Any]:
    return {"ok": ok, "error": error, "line": None, "column": None, "end_line": None,
            "end_column": None, "variables": [], "type": None, "canonical": None, "findings": []}


def _json_record(text: str) -> dict[str, Any]:
    from flowlint.expressions.analysis import infer_type, variables_read
    from flowlint.expressions.parser import line_col, parse_expression
    from flowlint.expressions.printer import to_text

    result = parse_expression(text)
    if result.ast is None:
        assert result.error is not None
        record = _record(False, result.error.message)
        record["line"], record["column"] = line_col(text, result.error.offset)
        record["end_line"], record["end_column"] = line_col(text, result.error.end_offset)
        return record
    record = _record(True, None)
    record["variables"] = list(dict.fromkeys(ref.name for ref in variables_read(result.ast)))
    record["type"] = infer_type(result.ast)
    record["canonical"] = to_text(result.ast)
    findings: list[dict[str, Any]] = []
    for problem in _problems(result.ast):
        line, column = line_col(text, problem.start)
        end_line, end_column = line_col(text, problem.end)
        findings.append({"code": problem.code, "severity": _severity(problem.code), "message": problem.message,
                         "line": line, "column": column, "end_line": end_line, "end_column": end_column})
    record["findings"] = findings
    return record
