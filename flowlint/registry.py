"""The rule registry: one source for `flowlint rules`, `flowlint explain`, docs and tests.

Each rule lives in its own module under ``rules/`` (installed as ``flowlint.rules``) and
exposes ``RULE``, an instance of a :class:`Rule` subclass.  Rules whose findings come
from the loaders (FL100 unreadable file) still register here so that they are
documented, selectable and configurable like every other rule.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, ClassVar

from flowlint.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from flowlint.context import Context


@dataclass(frozen=True, slots=True)
class Example:
    """A runnable example: files (name -> content) forming a small project.

    ``bad`` examples must produce at least one finding of the rule, ``good`` ones none.
    """

    title: str
    files: dict[str, str]
    bad: bool


@dataclass(frozen=True, slots=True)
class RuleInfo:
    code: str
    name: str
    severity: Severity
    summary: str
    why: str
    examples: tuple[Example, ...] = field(default=())


class Rule:
    """Base class of all rules. Subclasses set ``info`` and override :meth:`check`."""

    info: ClassVar[RuleInfo]
    #: True when a finding in a file depends on that file alone, never on other flows.
    #: Such rules run file by file (in worker processes, and their findings are cached per
    #: file: flowlint/pipeline/units.py); the others see the whole project.  Leave it False for
    #: anything that reads another flow, the attribute table across flows or the flow graph.
    per_file: ClassVar[bool] = False

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        """Yield findings for the whole project. Loader-emitted rules yield nothing here."""
        return ()


def run_check(rule: Rule, ctx: Context) -> list[Diagnostic]:
    """Run one rule; a bug in it must not lose the other rules' findings.

    The failure is reported as a finding of that rule (so it is seen, and fails CI)
    instead of a traceback that would end the whole run.
    """
    try:
        return list(rule.check(ctx))
    except Exception as error:  # noqa: BLE001 - isolation is the point
        message = (f"internal error in rule {rule.info.code} ({type(error).__name__}: {error}); its findings are "
                   f"missing from this run, all other rules ran: please report this to the flowlint maintainers")
        return [Diagnostic(rule.info.code, Severity.ERROR, message, ".", None, "project")]


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, sorted by code."""
    package = importlib.import_module("flowlint.rules")
    rules: list[Rule] = []
    for module_info in pkgutil.iter_modules(package.__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"flowlint.rules.{module_info.name}")
        rule = getattr(module, "RULE", None)
        if isinstance(rule, Rule):
            rules.append(rule)
    rules.sort(key=lambda r: r.info.code)
    return tuple(rules)


@cache
def rules_by_code() -> dict[str, Rule]:
    return {rule.info.code: rule for rule in all_rules()}


def rule_info(code: str) -> RuleInfo:
    return rules_by_code()[code].info


class UnknownSelector(ValueError):
    """A rule code, prefix or name that names no rule; ``str()`` has a did-you-mean."""


def resolve_selector(text: str) -> str:
    """A rule code (``FL005``), a code prefix (``FL0``) or a rule name (``get-before-set``),
    as a code or prefix; :class:`UnknownSelector` for anything that selects no rule, so that
    a typo in ``select``/``ignore`` is an error, not a silent no-op."""
    import difflib

    value = text.strip()
    by_name = {rule.info.name: rule.info.code for rule in all_rules()}
    if value.lower() in by_name:
        return by_name[value.lower()]
    upper = value.upper()
    if upper.startswith("FL") and (upper[2:].isdigit() or upper == "FL") and len(upper) <= 5:
        if any(code.startswith(upper) for code in rules_by_code()):
            return upper
        raise UnknownSelector(f"'{text}' selects no rule (codes run from {min(rules_by_code())} to "
                              f"{max(rules_by_code())}; `flowlint rules` lists them)")
    canonical = "".join(c for c in value if c.isalnum()).upper()
    digits = len(canonical[2:]) - len(canonical[2:].lstrip("0123456789"))
    canonical = canonical[:2 + min(digits, 3)]  # FL and the digits it starts with: 'fl-103' -> FL103
    if canonical[:2] == "FL" and digits and any(code.startswith(canonical) for code in rules_by_code()):
        raise UnknownSelector(f"unknown rule code or name '{text}': did you mean '{canonical}'?")
    close = difflib.get_close_matches(value.lower(), list(by_name), n=1, cutoff=0.6)
    hint = f": did you mean '{close[0]}' ({by_name[close[0]]})?" if close else "; `flowlint rules` lists them"
    raise UnknownSelector(f"unknown rule code or name '{text}'{hint}")
