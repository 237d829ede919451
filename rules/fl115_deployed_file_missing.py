"""FL115: a ``genesyscloud_flow`` whose local ``filepath`` names no file (reported by the repository stage)."""

from flowlint.diagnostics import Severity
from flowlint.registry import Example, Rule, RuleInfo

from ._flows import task_flow
from ._terraform import flow_resource

_FLOW = task_flow("Email", """\
- disconnect:
    name: Done
""", flow_type="inboundEmail")


class DeployedFileMissing(Rule):
    info = RuleInfo(
        code="FL115",
        name="deployed-file-missing",
        severity=Severity.ERROR,
        summary="A `genesyscloud_flow` resource's `filepath` resolves to a file that does not exist.",
        why=(
            "Terraform resolves a relative `filepath` against its working directory, the root module's directory, "
            "not against the module the resource is written in. A module that says `filepath = \"./flow.yaml\"` "
            "works while it is the root and breaks as soon as another configuration calls it (a public blueprint "
            "does exactly this with a dev/ and a prod/ root). `terraform plan` does not read the file, so the error "
            "appears only during `apply`. Write `\"${path.module}/flow.yaml\"` for a file beside the module."
        ),
        examples=(
            Example("a module path resolved against the root", {
                "dev/main.tf": 'module "email" {\n  source = "../modules/email"\n}\n',
                "modules/email/main.tf": flow_resource("email", "./email.yaml", {}),
                "modules/email/email.yaml": _FLOW}, bad=True),
            Example("the module's own directory", {
                "dev/main.tf": 'module "email" {\n  source = "../modules/email"\n}\n',
                "modules/email/main.tf": flow_resource("email", "${path.module}/email.yaml", {}),
                "modules/email/email.yaml": _FLOW}, bad=False),
        ),
    )


RULE = DeployedFileMissing()
