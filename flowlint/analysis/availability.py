"""The flow-type x action-kind availability matrix (data in flowlint/data/availability.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, cast


@dataclass(frozen=True, slots=True)
class Availability:
    status: str  # "allowed" | "not_allowed" | "unknown"
    label: str
    #: Starts with the basis and a colon: ``documented: ...``, ``inferred, not documented: ...``.
    evidence: str
    advice: str

    @property
    def basis(self) -> str:
        """``documented``, ``observed`` or ``inferred`` (the evidence's first word); "" without evidence."""
        head = self.evidence.partition(":")[0]
        word = head.split(",")[0].split()[0] if head.strip() else ""
        return word if word in ("documented", "observed", "inferred") else ""


@cache
def _doc() -> dict[str, Any]:
    text = resources.files("flowlint.data").joinpath("availability.json").read_text(encoding="utf-8")
    return cast(dict[str, Any], json.loads(text))


def availability(kind: str, flow_type: str) -> Availability | None:
    """None when the matrix has no row for this action kind (nothing to check)."""
    doc = _doc()
    row = cast(dict[str, str] | None, doc["matrix"].get(kind))
    if row is None:
        return None
    return Availability(
        row.get(flow_type, "unknown"),
        cast(str, doc["labels"].get(kind, kind)),
        cast(str, doc["evidence"].get(kind, {}).get(flow_type, "")),
        cast(str, doc["advice"].get(kind, "")),
    )
