"""FL111: a substitution key that the deployed file never uses (reported with the deployment)."""

from flowlint.diagnostics import Severity
from flowlint.registry import Example, Rule, RuleInfo

from ._flows import task_flow
from ._terraform import flow_resource

_FLOW = task_flow("{{flow_name}}", """\
- disconnect:
    name: Done
""")


class UnusedSubstitution(Rule):
    per_file = True
    info = RuleInfo(
        code="FL111",
        name="unused-substitution",
        severity=Severity.INFO,
        summary="A key of a `genesyscloud_flow` resource's `substitutions` (or of an options file) that no "
                "`{{key}}` of the deployed file uses.",
        why=(
            "Substitution is plain text replacement of `{{key}}`: a key the file never mentions does nothing. It is "
            "either left over from an older version of the flow, or the placeholder it was meant for is spelt "
            "differently in the file (which FL110 then reports at the placeholder). Removing dead keys keeps the "
            "resource an honest list of what the flow depends on. For an options file that applies to several "
            "flows, a key is unused when none of them has it. Reported at the key in the `.tf` or options file."
        ),
        examples=(
            Example("a key the flow does not use", {
                "main.tf": flow_resource("ivr", "${path.module}/ivr.yaml",
                                         {"flow_name": '"Main IVR"', "queue_name": '"Support"'}),
                "ivr.yaml": _FLOW}, bad=True),
            Example("every key is used", {
                "main.tf": flow_resource("ivr", "${path.module}/ivr.yaml", {"flow_name": '"Main IVR"'}),
                "ivr.yaml": _FLOW}, bad=False),
        ),
    )


RULE = UnusedSubstitution()
