"""FL112: a resource argument (``force_unlock``...) written inside ``substitutions``."""

from flowlint.diagnostics import Severity
from flowlint.registry import Example, Rule, RuleInfo

from ._flows import task_flow
from ._terraform import flow_resource

_FLOW = task_flow("{{flow_name}}", """\
- disconnect:
    name: Done
""")


class TerraformArgumentInSubstitutions(Rule):
    per_file = True
    info = RuleInfo(
        code="FL112",
        name="terraform-argument-in-substitutions",
        severity=Severity.WARNING,
        summary="`force_unlock`, `filepath`, `file_content_hash`, `name`... written inside a `genesyscloud_flow`'s "
                "`substitutions` map, where it is only a substitution key.",
        why=(
            "`substitutions` is a map of strings: `force_unlock = true` written inside it becomes the key "
            "`force_unlock` with the value \"true\", which replaces `{{force_unlock}}` in the file and nothing else. "
            "The resource argument is not set, so a locked flow still fails to publish, and a changed "
            "`file_content_hash` or `update_trigger_hash` does not trigger an update. All eight uses of "
            "`force_unlock` seen in public repositories were written this way. Reported when the deployed file "
            "has no placeholder of that name: move the line out of the map, to the resource itself."
        ),
        examples=(
            Example("force_unlock inside substitutions", {
                "main.tf": flow_resource("ivr", "${path.module}/ivr.yaml",
                                         {"flow_name": '"Main IVR"', "force_unlock": "true"}),
                "ivr.yaml": _FLOW}, bad=True),
            Example("force_unlock as the resource argument", {
                "main.tf": flow_resource("ivr", "${path.module}/ivr.yaml", {"flow_name": '"Main IVR"'},
                                         extra="  force_unlock = true"),
                "ivr.yaml": _FLOW}, bad=False),
        ),
    )


RULE = TerraformArgumentInSubstitutions()
