"""FL008: an attribute name of a Set/Get of participant, secured or conversation data given as an expression."""

from collections.abc import Iterator

from flowlint.analysis.attributes import DATA_ACTION_LABELS
from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.expressions.analysis import USER_NAMESPACES, variables_read
from flowlint.expressions.ast import Literal, LiteralKind, Variable
from flowlint.expressions.parser import parse_expression
from flowlint.ir import DATA_SET_KINDS, ValueKind
from ._flows import task_flow
from flowlint.registry import Example, Rule, RuleInfo

_FLOW = task_flow('Main', """\
- getParticipantData:
    name: Read caller tier
    attributes:
      - attribute:
          name:
            {name}
          variable: Flow.tier
- disconnect:
    name: End
""", settings="""\
variables:
  - stringVariable:
      name: Flow.tier
""")



class AttributeNameNotLiteral(Rule):
    per_file = True  # findings depend on this flow only
    info = RuleInfo(
        code="FL008",
        name="attribute-name-not-literal",
        severity=Severity.WARNING,
        summary="An attribute name of a Set/Get of participant, secured or conversation data is an expression, "
                "not a literal.",
        why=(
            "In Architect's editor the attribute name of Set/Get Participant Data, Set/Get Secured Data and "
            "Set/Get Conversation Data is a string literal (documented); an `exp:` name can only come from a "
            "file written or generated outside Architect. Its value is computed at runtime, so the action reads "
            "or writes an attribute named by that value: `exp: Call.Ani` reads the attribute named after the "
            "caller's number, not one called 'Call.Ani'. No flow in the public corpus does this, and flowlint's "
            "cross-flow rules (FL001 case mismatch, FL005 get-before-set) cannot tell which attribute such a "
            "name means. Write the name as a literal (`lit: CallerTier`); a `{{placeholder}}` inside a literal "
            "is fine."
        ),
        examples=(
            Example("a built-in variable as the name", {"main.yaml": _FLOW.format(name="exp: Call.Ani")},
                    bad=True),
            Example("a name computed from a flow variable", {"main.yaml": _FLOW.format(
                name='exp: Append("tier_", Call.CalledAddress)')}, bad=True),
            Example("a literal name", {"main.yaml": _FLOW.format(name="lit: CallerTier")}, bad=False),
            Example("a literal name with a template placeholder", {"main.yaml": _FLOW.format(
                name="lit: '{{tier_attribute}}'")}, bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        for flow in ctx.project.flows:
            for action, attribute in flow.iter_attributes():
                name = attribute.name
                if action.kind not in DATA_ACTION_LABELS or name.kind != ValueKind.EXP or name.text is None:
                    continue
                verb = "writes" if action.kind in DATA_SET_KINDS else "reads"
                yield ctx.diagnostic(
                    self.info.code,
                    f"the attribute name of {DATA_ACTION_LABELS[action.kind]} '{action.name}' is an expression: "
                    f"{_explain(name.text.strip(), verb)}",
                    name.loc,
                    flow=flow,
                )


def _explain(text: str, verb: str) -> str:
    """What the expression name does, and the literal to write instead."""
    ast = parse_expression(text).ast
    if isinstance(ast, Variable):
        head, dot, _ = ast.name.partition(".")
        if not dot or head.casefold() not in USER_NAMESPACES:
            return (f"it {verb} an attribute named by the value of {ast.name}, not one called '{ast.name}'; "
                    f"write the name as a literal (`lit: ...`)")
    if isinstance(ast, Literal) and ast.kind == LiteralKind.STRING:
        return (f"Architect's editor takes only a literal name; write `lit: {ast.value}` (a string expression "
                f"is not a literal name)")
    # Only the variables it reads are named, never the expression: its string literals are
    # values, and flowlint does not print literal values.
    read = sorted({ref.name for ref in variables_read(ast)}) if ast is not None else []
    source = f" from {', '.join(read)}" if read else ""
    return (f"the name is computed at runtime{source}, but Architect's editor takes only a literal name and "
            f"flowlint cannot match a computed name across flows; write the name as a literal (`lit: ...`)")


RULE = AttributeNameNotLiteral()
