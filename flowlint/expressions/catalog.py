"""The function catalog (``flowlint/data/functions.json``): names, arities, types.

Kept as data so that reviewers can audit it against the reference and users' reports can
be fixed without touching code.  Function names are case-insensitive in Architect
(``right`` is stored as ``Right``), so lookups go through :meth:`str.casefold`.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class Function:
    #: Canonical spelling (``ToString``).
    name: str
    category: str
    #: None when the signature is unknown (``Random``): every argument count is accepted.
    min_args: int | None
    #: None for variadic functions (and for unknown signatures).
    max_args: int | None
    #: Type code (``str``, ``int``, ``dtm``, ``str[]`` ...); None when it depends on the arguments.
    returns: str | None
    #: Per-position parameter type where one is known; None entries (or no tuple) = any.
    params: tuple[str | None, ...] | None
    #: When the allowed counts are not a range (``MakeDateTime``: 3 or 6).
    arities: tuple[int, ...] | None
    #: Codes of the reference: G17/G19 shipped SDK catalog, C seen in real flows, D documented, I inferred.
    source: str
    #: ``documented``, ``observed`` or ``inferred`` (semantics-2.md's labels).
    basis: str
    #: Where the entry's facts come from, when the catalog says more than ``source``.
    evidence: str
    note: str

    @property
    def signature_known(self) -> bool:
        """False for functions known only by name: their calls are never an arity error."""
        return self.min_args is not None

    def accepts(self, count: int) -> bool:
        """Whether some overload takes ``count`` arguments (always, when the signature is unknown)."""
        if self.arities is not None:
            return count in self.arities
        if self.min_args is None:
            return True
        return count >= self.min_args and (self.max_args is None or count <= self.max_args)

    @property
    def arity_text(self) -> str:
        """Human form of the allowed counts: ``2``, ``2 to 4``, ``3 or 6``, ``at least 1``."""
        if self.arities is not None:
            return ", ".join(map(str, self.arities[:-1])) + f" or {self.arities[-1]}"
        if self.min_args is None:
            return "an unknown number of"
        if self.max_args is None:
            return f"at least {self.min_args}"
        if self.max_args == self.min_args:
            return str(self.min_args)
        return f"{self.min_args} to {self.max_args}"


@cache
def _data() -> Any:
    return json.loads((resources.files("flowlint.data") / "functions.json").read_text(encoding="utf-8"))


@cache
def functions() -> dict[str, Function]:
    """Every known function, keyed by case-folded name."""
    raw = _data()
    table: dict[str, Function] = {}
    for row in raw["functions"]:
        params = row.get("params")
        arities = row.get("arities")
        function = Function(
            name=row["name"],
            category=row["category"],
            min_args=row["min_args"],
            max_args=row["max_args"],
            returns=row["returns"],
            params=tuple(params) if params is not None else None,
            arities=tuple(arities) if arities is not None else None,
            source=row.get("source", ""),
            basis=row.get("basis") or _basis(row.get("source", "")),
            evidence=row.get("evidence", ""),
            note=row.get("note", ""),
        )
        table[function.name.casefold()] = function
    return table


def _basis(source: str) -> str:
    """The basis of an entry that does not state one, from its source codes."""
    codes = set(source.split())
    if codes & {"G17", "G19", "D"}:
        return "documented"
    return "observed" if "C" in codes else "inferred"


def lookup(name: str) -> Function | None:
    """The function called ``name`` in any letter case, or None."""
    return functions().get(name.casefold())


@cache
def _mistakes() -> dict[str, str]:
    return {wrong.casefold(): right for wrong, right in _data().get("mistakes", {}).items()}


def suggest(name: str, limit: int = 3) -> list[str]:
    """Canonical names close to ``name`` ("did you mean"), best first.

    Known mistakes from other languages (``IndexOf`` -> ``FindString``) come first.
    """
    table = functions()
    folded = name.casefold()
    found = [_mistakes()[folded]] if folded in _mistakes() else []
    for match in difflib.get_close_matches(folded, list(table), n=limit, cutoff=0.75):
        if table[match].name not in found:
            found.append(table[match].name)
    return found[:limit]
