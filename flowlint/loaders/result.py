"""What a loader returns for one file."""

from __future__ import annotations

from dataclasses import dataclass, field

from flowlint.diagnostics import Diagnostic
from flowlint.ir import Flow, SourceFile


@dataclass(slots=True)
class LoadResult:
    source: SourceFile | None
    flows: list[Flow] = field(default_factory=lambda: [])
    #: FL100 and other load-time findings (positions already resolved).
    diagnostics: list[Diagnostic] = field(default_factory=lambda: [])
    #: True for files that are not flows at all (CI configs, terraform vars): skipped silently.
    not_a_flow: bool = False
