"""FL100: a flow file that cannot be read or parsed (reported by the loaders)."""

from flowlint.diagnostics import Severity
from flowlint.registry import Example, Rule, RuleInfo


class FlowFileUnreadable(Rule):
    info = RuleInfo(
        code="FL100",
        name="flow-file-unreadable",
        severity=Severity.ERROR,
        summary="A flow file cannot be read or parsed (bad YAML, bad base64, bad JSON, bad UTF-8, unknown flow type).",
        why=(
            "A flow that does not parse cannot be published, and nothing else flowlint checks can be trusted for it: "
            "its Sets and Gets are missing from the cross-flow analysis, so other flows may be judged wrongly too. "
            "flowlint reports the cause and position and keeps linting the rest of the project. A YAML file whose "
            "single top-level key is close to a flow-type key (`inboundcall:`) is reported with a suggestion; other "
            "YAML files that are not flows (CI configs, variables) are skipped silently."
        ),
        examples=(
            Example("flow-type key with the wrong case", {"main.yaml": "inboundcall:\n  name: Main\n"}, bad=True),
            Example("broken YAML in a flow", {"main.yaml": "inboundCall:\n  name: [Main\n"}, bad=True),
            Example("a well-formed flow", {"main.yaml": "inboundCall:\n  name: Main\n"}, bad=False),
            Example("a YAML file that is not a flow is skipped", {"ci.yaml": "jobs:\n  test: {}\n"}, bad=False),
        ),
    )


RULE = FlowFileUnreadable()
