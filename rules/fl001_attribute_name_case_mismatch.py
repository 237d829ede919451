"""FL001: a Get reads an attribute name that is only ever Set with different letter case."""

from collections.abc import Iterator

from flowlint.analysis.attributes import Site
from flowlint.analysis.external import BY_ID
from flowlint.context import Context
from flowlint.analysis.shadowing import shadowed_exports
from flowlint.ir import ActionKind, SourceFormat
from flowlint.diagnostics import Applicability, Diagnostic, Fix, Severity, related_at, where
from flowlint.fix.scalars import replace_scalar
from ._flows import task_flow, web_chat_flow
from flowlint.registry import Example, Rule, RuleInfo

_GET = task_flow('Support', """\
- getParticipantData:
    name: Read account
    attributes:
      - attribute:
          name:
            lit: {get_name}
          variable: Task.account
- disconnect:
    name: Done
""")
_SET = task_flow('Main IVR', """\
- setParticipantData:
    name: Remember account
    attributes:
      - attribute:
          name:
            lit: AccountId
          value:
            exp: Call.Ani
- transferToFlow:
    name: To support
    targetFlow:
      name: Support
""")


class AttributeNameCaseMismatch(Rule):
    info = RuleInfo(
        code="FL001",
        name="attribute-name-case-mismatch",
        severity=Severity.ERROR,
        summary="A Get reads an attribute name that no Set writes exactly, but a Set writes it with other letter case.",
        why=(
            "Participant, conversation and secured data attribute names are case-sensitive. A Get Participant Data "
            "of `accountId` after a Set of `AccountId` does not fail: it silently reads nothing, and the flow "
            "continues with an empty variable, so the caller is asked again or routed wrongly. Architect does not "
            "warn about this at publish time. flowlint compares every Get in the project with every Set and "
            "reports a Get whose name matches a Set only when case is ignored, or matches only in other case a "
            "name the platform writes (web chat's `context.email`, from flowlint/data/external_attributes.json). "
            "Fix it by using the writer's exact spelling (the language server offers this as a quick fix)."
        ),
        examples=(
            Example("web chat writes the form's e-mail field as context.email",
                    {"chat.yaml": web_chat_flow("Context.Email")}, bad=True),
            Example("the spelling web chat writes",
                    {"chat.yaml": web_chat_flow("context.email")}, bad=False),
            Example("Get spells the attribute with a lower-case 'a'",
                    {"main.yaml": _SET, "support.yaml": _GET.format(get_name="accountId")}, bad=True),
            Example("Get uses the Set's exact spelling",
                    {"main.yaml": _SET, "support.yaml": _GET.format(get_name="AccountId")}, bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        table = ctx.attributes
        shadowed: set[int] | None = None  # computed at the first finding
        for site in table.gets:
            if site.name is None or (site.store, site.name) in table.sets:
                continue
            matches = table.sets_folded.get((site.store, site.name.lower()))
            if not matches:
                found = self._external(ctx, site)
                if found is not None:
                    yield found
                continue
            if shadowed is None:
                shadowed = shadowed_exports(ctx.project.flows)
            matches = _evidence(matches, shadowed)
            first = matches[0]
            spellings = sorted({m.name for m in matches if m.name is not None})
            others = f" (and {len(matches) - 1} more Set site(s))" if len(matches) > 1 else ""
            found = ctx.diagnostic(
                self.info.code,
                f"Get reads attribute '{site.name}' but it is set as '{spellings[0]}' "
                f"(Set in flow '{first.flow.name}' at {where(first.attribute.name.loc)}){others}; attribute names "
                f"are case-sensitive, so this Get reads nothing: use '{spellings[0]}'",
                site.attribute.name.loc,
                flow=site.flow,
                attribute=site.name,
                related=tuple(related_at(f"'{m.name}' is set here", m.attribute.name.loc) for m in matches),
            )
            # Safe only when the Sets agree on one spelling; else the editor offers each.
            sure = Applicability.SAFE if len(spellings) == 1 else Applicability.DISPLAY_ONLY
            found.fixes = respell(site, spellings, "the Set", sure)
            yield found

    def _external(self, ctx: Context, site: Site) -> Diagnostic | None:
        """A Get spelling a name the platform writes (web chat's ``context.email``) in other case."""
        name = site.name or ""
        scope = ctx.scope(site.flow)
        if site.action.kind == ActionKind.GET_CONVERSATION_DATA:
            scope = scope | {BY_ID}
        found = ctx.external.respelling(name, scope)
        if found is None:
            return None
        writer, spelling = found
        known = spelling in writer.names
        what = (f"'{spelling}'" if known
                else f"its fields under '{next(p for p in writer.prefixes if spelling.startswith(p))}'")
        found = ctx.diagnostic(
            self.info.code,
            f"Get reads attribute '{name}' but {writer.title} writes {what} ({writer.basis}: {writer.source.split(';')[0]}); "
            f"attribute names are case-sensitive, so this Get reads nothing: use '{spelling}'",
            site.attribute.name.loc, flow=site.flow, attribute=name,
            # A documented name is certain; under a prefix, the page may not send that field at all.
            severity=None if known else Severity.WARNING,
        )
        found.fixes = respell(site, [spelling], "the platform", Applicability.SAFE if known else Applicability.UNSAFE)
        return found


def respell(site: Site, spellings: list[str], who: str, applicability: Applicability) -> tuple[Fix, ...]:
    """One fix per spelling: the Get's name rewritten in the file's own quoting."""
    name = site.attribute.name
    loc = name.loc
    style = name.scalar.style if name.scalar is not None else None
    found = (replace_scalar(f"Use '{spelling}', the spelling {who} uses", loc.file.resolve(loc), site.name or "",
                            spelling, loc.file.format, style, applicability) for spelling in spellings)
    return tuple(fix for fix in found if fix is not None)


def _evidence(matches: list[Site], shadowed: set[int]) -> list[Site]:
    """The Set sites to show: not those of an export that the YAML of the same flow shadows
    (with `yaml-shadows-exports = false` both count, but the YAML is what is deployed), and
    sites with a line (YAML, JSON) before sites in exports, which only have a logical location."""
    shown = [m for m in matches if id(m.flow) not in shadowed] or matches
    return sorted(shown, key=lambda m: m.attribute.name.loc.file.format is SourceFormat.EXPORT)


RULE = AttributeNameCaseMismatch()
