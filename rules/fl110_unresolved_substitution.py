"""FL110: a ``{{key}}`` in a deployed flow file that its deployment gives no value
(reported by the loader of deployed files, flowlint/loaders/deployed.py)."""

from flowlint.diagnostics import Severity
from flowlint.registry import Example, Rule, RuleInfo

from ._flows import task_flow
from ._terraform import flow_resource

_FLOW = task_flow("{{flow_name}}", """\
- transferToAcd:
    name: To support
    targetQueue:
      lit:
        name: "{{queue_name}}"
""")


class UnresolvedSubstitution(Rule):
    per_file = True
    info = RuleInfo(
        code="FL110",
        name="unresolved-substitution",
        severity=Severity.ERROR,
        summary="A `{{key}}` placeholder in a deployed flow file has no value in the deploying resource's "
                "substitutions (or the options file).",
        why=(
            "The Genesys Cloud Terraform provider and Archy replace each exact `{{key}}` of a flow file with the "
            "value of `key` from the resource's `substitutions` map (or the options file's `substitutions:`) before "
            "the YAML is read. A placeholder without a value is uploaded as it is: an unquoted one makes the publish "
            "job fail after `terraform apply` has started, a quoted one becomes part of the flow, so a queue named "
            "`{{queue_name}}` is looked up, or a caller hears the braces read out. The finding points at the "
            "placeholder, names the deploying resource and suggests a key of the map that is spelt almost alike."
        ),
        examples=(
            Example("a placeholder the resource gives no value", {
                "main.tf": flow_resource("ivr", "${path.module}/flows/ivr.yaml", {"flow_name": '"Main IVR"'}),
                "flows/ivr.yaml": _FLOW}, bad=True),
            Example("every placeholder has a value", {
                "main.tf": flow_resource("ivr", "${path.module}/flows/ivr.yaml",
                                         {"flow_name": '"Main IVR"', "queue_name": '"Support"'}),
                "flows/ivr.yaml": _FLOW}, bad=False),
            Example("a file no resource deploys keeps opaque placeholders", {"flows/ivr.yaml": _FLOW}, bad=False),
        ),
    )


RULE = UnresolvedSubstitution()
