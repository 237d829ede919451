"""Unified diffs of fixed files (``flowlint check --diff``), as ``git diff`` shows them."""

from __future__ import annotations

import difflib
import re

#: Lines as git counts them: up to and including each ``\n`` (a CR stays part of its line).
_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")


def unified_diff(path: str, before: str, after: str) -> str:
    """The diff from ``before`` to ``after`` (``a/path`` -> ``b/path``); "" when equal.

    Lines keep their own line breaks (a CRLF file shows CRLF lines); a last line without a
    line break is marked as git marks it.
    """
    if before == after:
        return ""
    old, new = _LINE.findall(before), _LINE.findall(after)
    out: list[str] = []
    for line in difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"):
        if line.startswith(("---", "+++", "@@")):
            out.append(line if line.endswith("\n") else line + "\n")
        elif line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)
