"""FL114: a credential substituted into a flow (the value is never read into output)."""

from flowlint.diagnostics import Severity
from flowlint.registry import Example, Rule, RuleInfo

from ._flows import task_flow
from ._terraform import flow_resource

_FLOW = task_flow("Main IVR", """\
- callData:
    name: Look up account
    timeout:
      lit:
        seconds: 10
    category:
      Accounts:
        dataAction:
          Lookup:
            inputs:
              apiKey:
                lit: "{{api_key}}"
""")
_PLAIN = _FLOW.replace("apiKey", "region").replace("{{api_key}}", "{{region}}")


class SecretInSubstitution(Rule):
    per_file = True
    info = RuleInfo(
        code="FL114",
        name="secret-in-substitution",
        severity=Severity.WARNING,
        summary="A substitution key that names a credential (secret, password, token, API key...) is substituted "
                "into a flow.",
        why=(
            "Substitution writes the value into the flow's text, and the published flow is readable by everyone "
            "with Architect view permission, in every export and in the flow history; a data-action input written "
            "as a literal is also logged with the action. Credentials belong in the integration's credentials, "
            "which data actions use without exposing them to the flow. flowlint never substitutes such a value "
            "into what it lints and never prints it in any output format; the finding points at the key in the "
            "`.tf` or options file."
        ),
        examples=(
            Example("an API key substituted into a data action input", {
                "main.tf": flow_resource("ivr", "${path.module}/ivr.yaml", {"api_key": "var.api_key"}),
                "variables.tf": 'variable "api_key" {\n  type      = string\n  sensitive = true\n}\n',
                "ivr.yaml": _FLOW}, bad=True),
            Example("a plain setting substituted", {
                "main.tf": flow_resource("ivr", "${path.module}/ivr.yaml", {"region": '"eu-west-1"'}),
                "ivr.yaml": _PLAIN}, bad=False),
        ),
    )


RULE = SecretInSubstitution()
