"""FL113: a placeholder that substitution never replaces (``{{ key }}``, or ``${key}``
in a file deployed through ``substitutions`` rather than ``templatefile()``)."""

from flowlint.diagnostics import Severity
from flowlint.registry import Example, Rule, RuleInfo

from ._flows import task_flow
from ._terraform import flow_resource

_ACTIONS = """\
- transferToAcd:
    name: To support
    targetQueue:
      lit:
        name: "{queue}"
"""


class PlaceholderNeverSubstituted(Rule):
    per_file = True
    info = RuleInfo(
        code="FL113",
        name="placeholder-never-substituted",
        severity=Severity.WARNING,
        summary="`{{ key }}` with spaces inside the braces, or `${key}` in a file deployed with `substitutions`: "
                "text that looks like a placeholder but is never replaced.",
        why=(
            "The provider replaces exactly the text `{{key}}` (it runs `strings.Replace(text, \"{{\"+key+\"}}\", "
            "value)`), and Archy forbids spaces around keys, so `{{ queue_name }}` reaches the published flow as "
            "it is written. `${key}` is Terraform `templatefile()` syntax: it is replaced only when the file is "
            "rendered through `templatefile()`, never by `substitutions`. Both read as placeholders to a reviewer "
            "and to the author, which is why they survive review. Write `{{key}}` and give the key a value."
        ),
        examples=(
            Example("spaces inside the braces", {
                "flows/ivr.yaml": task_flow("Main IVR", _ACTIONS.format(queue="{{ queue_name }}"))}, bad=True),
            Example("templatefile syntax in a file deployed with substitutions", {
                "main.tf": flow_resource("ivr", "${path.module}/flows/ivr.yaml", {"queue_name": '"Support"'}),
                "flows/ivr.yaml": task_flow("Main IVR", _ACTIONS.format(queue="${queue_name}"))}, bad=True),
            Example("an exact placeholder", {
                "main.tf": flow_resource("ivr", "${path.module}/flows/ivr.yaml", {"queue_name": '"Support"'}),
                "flows/ivr.yaml": task_flow("Main IVR", _ACTIONS.format(queue="{{queue_name}}"))}, bad=False),
        ),
    )


RULE = PlaceholderNeverSubstituted()
