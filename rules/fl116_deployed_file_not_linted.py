"""FL116: a deployed flow that flowlint cannot lint as deployed (reported by the repository stage)."""

from flowlint.diagnostics import Severity
from flowlint.registry import Example, Rule, RuleInfo

from ._flows import task_flow
from ._terraform import flow_resource

_FLOW = task_flow("Main IVR", """\
- disconnect:
    name: Done
""")


class DeployedFileNotLinted(Rule):
    info = RuleInfo(
        code="FL116",
        name="deployed-file-not-linted",
        severity=Severity.INFO,
        summary="A `genesyscloud_flow` deploys a flow that is not linted: fetched from a URL or S3, a `filepath` "
                "that cannot be resolved offline, or a file outside the linted paths.",
        why=(
            "flowlint lints the repository as it is deployed, but it never fetches anything and never guesses: "
            "a flow the provider downloads at apply time (`https://`, `s3://`), a `filepath` computed from a data "
            "source, or a file outside the paths given to `flowlint check` is not part of the analysis. Its Sets "
            "and Gets are then missing from the cross-flow rules, which can make other flows' findings "
            "incomplete. This note says so once per resource; keep the flow file in the repository and lint the "
            "directory that holds both to check it."
        ),
        examples=(
            Example("a flow fetched from a URL", {
                "main.tf": flow_resource("ivr", "https://example.com/flows/ivr.yaml", {}),
                "ivr.yaml": _FLOW}, bad=True),
            Example("a flow file in the repository", {
                "main.tf": flow_resource("ivr", "${path.module}/ivr.yaml", {}),
                "ivr.yaml": _FLOW}, bad=False),
        ),
    )


RULE = DeployedFileNotLinted()
