"""FL108: a key given twice in one YAML mapping (reported by the Archy YAML loader)."""

from flowlint.diagnostics import Severity
from ._flows import task_flow
from flowlint.registry import Example, Rule, RuleInfo

_ACTIONS = """\
- setParticipantData:
    name: Remember
    attributes:
      - attribute:
          name:
            lit: AccountId
          value:
            exp: Call.Ani{second}
- disconnect:
    name: Done
"""
_SECOND_VALUE = """
          value:
            exp: Call.CalledAddress"""


class DuplicateKey(Rule):
    per_file = True  # findings depend on this file only
    info = RuleInfo(
        code="FL108",
        name="duplicate-key",
        severity=Severity.WARNING,
        summary="A key appears twice in one YAML mapping of a flow file: only the last value is used.",
        why=(
            "YAML keeps the last of two equal keys and drops the first without a word, so a second `value:` "
            "pasted under an attribute, or a second `name:` in an action, silently replaces the first: the flow "
            "publishes, and stores or reads something else than the author sees at the top. Other YAML tools "
            "refuse such a file outright. flowlint reads the flow as YAML does (last value wins) and reports the "
            "repeat where it is, with the line of the first one: keep the one you mean and delete the other."
        ),
        examples=(
            Example("an attribute with two values", {"main.yaml": task_flow("Main", _ACTIONS.format(second=_SECOND_VALUE))}, bad=True),
            Example("flow settings given twice",
                    {"main.yaml": "inboundCall:\n  name: Main\n  division: Home\n  division: Sales\n"}, bad=True),
            Example("each key once", {"main.yaml": task_flow("Main", _ACTIONS.format(second=""))}, bad=False),
        ),
    )


RULE = DuplicateKey()
