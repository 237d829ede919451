"""FL009: a Get of participant, secured or conversation data into a variable declared with a non-String type."""

import re
from collections.abc import Iterator

from flowlint.analysis.attributes import DATA_ACTION_LABELS
from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity, related_at, where
from flowlint.ir import DATA_GET_KINDS, Action, ContainerKind, Flow, ValueKind, Variable
from ._flows import task_flow
from flowlint.registry import Example, Rule, RuleInfo

_ACTIONS = """\
- getParticipantData:
    name: Read caller tier
    attributes:
      - attribute:
          name:
            lit: CallerTier
          variable: {variable}
{convert}- decision:
    name: Gold caller?
    condition:
      exp: Flow.tier >= 3
    outputs:
      yes:
        actions:
          - disconnect:
              name: Bye
- disconnect:
    name: End
"""
_VARIABLES = """\
variables:
  - integerVariable:
      name: Flow.tier
  - stringVariable:
      name: Flow.tierText
"""
_CONVERT = """\
- updateData:
    name: Tier as a number
    statements:
      - integer:
          variable: Flow.tier
          value:
            exp: ToInt(Flow.tierText)
"""


def _flow(variable: str, convert: str = "") -> str:
    return task_flow("Main", _ACTIONS.format(variable=variable, convert=convert), settings=_VARIABLES)


#: Declared type (case-folded, without "Variable") -> the function that converts a string to it.
_CONVERSIONS = {
    "integer": "ToInt", "decimal": "ToDecimal", "boolean": "ToBool", "bool": "ToBool", "datetime": "ToDateTime",
    "duration": "ToDuration", "json": "JsonParse", "phonenumber": "ToPhoneNumber", "currency": "ToCurrency",
    "stringcollection": "Split",
}
_DECLARED_TYPE = re.compile(r"([A-Za-z]+?)Variable")


class GetIntoNonStringVariable(Rule):
    per_file = True  # findings depend on this flow only
    info = RuleInfo(
        code="FL009",
        name="get-into-non-string-variable",
        severity=Severity.ERROR,
        summary="A Get Participant/Secured/Conversation Data writes into a variable declared with a type other "
                "than String.",
        why=(
            "Attribute values are strings, and Architect documents that the output of Get Participant Data, Get "
            "Secured Data and Get Conversation Data must be a String variable; its editor offers nothing else. A "
            "flow file written or generated outside Architect can still name an Integer, Boolean, JSON or "
            "collection variable there, and what Architect then does with it (reject the flow, or convert the "
            "value some way) is not documented. Read the attribute into a String variable, then convert it where "
            "the value is needed (`ToInt(Flow.tierText)`, `ToBool(...)`, `JsonParse(...)`). Only variables whose "
            "declaration is found (in the Get's own task or state, or at flow level) and whose type is known are "
            "checked."
        ),
        examples=(
            Example("an attribute read straight into an Integer variable", {"main.yaml": _flow("Flow.tier")},
                    bad=True),
            Example("read into a String variable, then converted", {"main.yaml": _flow("Flow.tierText", _CONVERT)},
                    bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        for flow in ctx.project.flows:
            for action, attribute in flow.iter_attributes():
                target = attribute.variable
                if (action.kind not in DATA_GET_KINDS or target is None or target.text is None
                        or target.kind not in (ValueKind.VAR, ValueKind.BARE)):
                    continue
                declared = _declaration(flow, action, target.text.strip())
                if declared is None:
                    continue
                base = _type_base(declared.type)
                if base is None or base.casefold() == "string":
                    continue
                type_label = _type_label(base)
                scope = _scope(flow, declared)
                function = _CONVERSIONS.get(base.casefold())
                convert = f"convert it ({function}(...))" if function else "convert it"
                name = attribute.name.text if attribute.name.text is not None else "?"
                yield ctx.diagnostic(
                    self.info.code,
                    f"{DATA_ACTION_LABELS[action.kind]} '{action.name}' reads attribute '{name}' into {declared.name}, "
                    f"{_article(type_label)} {type_label} variable {scope} ({where(declared.loc)}); the output of a "
                    f"Get must be a String variable: read it into a String variable, then {convert}",
                    target.loc,
                    flow=flow,
                    attribute=attribute.name.literal,
                    related=(related_at(f"{declared.name} is declared as {type_label} here", declared.loc),),
                )


def _declaration(flow: Flow, action: Action, name: str) -> Variable | None:
    """The declaration of ``name`` that the action sees: its own container's, else the flow's."""
    folded = name.casefold()
    scopes: list[list[Variable]] = []
    if 0 <= action.container < len(flow.containers):
        scopes.append(flow.containers[action.container].variables)
    scopes.append(flow.variables)
    for variables in scopes:
        for variable in variables:
            if variable.name.strip().casefold() == folded:
                return variable
    return None


def _scope(flow: Flow, variable: Variable) -> str:
    """``of the flow``, ``in task 'Route'``, ``in state 'Main'``."""
    if variable.container is None or not 0 <= variable.container < len(flow.containers):
        return "of the flow"
    container = flow.containers[variable.container]
    if container.kind == ContainerKind.STARTUP:
        return "of the start-up actions"
    word = "task" if container.kind == ContainerKind.INLINE else container.kind.value
    return f"in {word} '{container.name}'"


def _type_base(spelled: str) -> str | None:
    """``integer`` for ``integerVariable`` (YAML) or ``Integer`` for ``IntegerVariable`` (exports);
    None for a type spelling that is not known."""
    match = _DECLARED_TYPE.fullmatch(spelled.strip())
    return match[1] if match else None


def _article(word: str) -> str:
    return "an" if word[:1].upper() in "AEIOU" else "a"


def _type_label(base: str) -> str:
    """Architect's name of a type: ``Integer``, ``Boolean``, ``JSON``, ``String Collection``."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", base[:1].upper() + base[1:]).split()
    fixed = {"Bool": "Boolean", "Json": "JSON"}
    return " ".join(fixed.get(word, word) for word in words)


RULE = GetIntoNonStringVariable()
