"""FL103: an in-flow reference (startUpRef, targetTaskRef, nextAction, ...) that points nowhere."""

from collections.abc import Iterator

from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.registry import Example, Rule, RuleInfo


class UnresolvedReference(Rule):
    per_file = True  # findings depend on this flow only
    info = RuleInfo(
        code="FL103",
        name="unresolved-reference",
        severity=Severity.ERROR,
        summary="A reference inside a flow (startUpRef, targetTaskRef, targetStateRef, targetMenuRef, export "
                "nextAction/path targets) points to nothing.",
        why=(
            "Archy refuses to publish a flow whose references do not resolve, and a renamed task's `refId` is the "
            "usual cause: the reference still names the old id. Catching it before `archy publish` saves a failed "
            "deployment, and an unresolved jump also hides part of the flow from flowlint's own path analysis."
        ),
        examples=(
            Example("jump to a task whose refId was renamed", {"main.yaml": """\
inboundCall:
  name: Main
  startUpRef: /inboundCall/tasks/task[start]
  tasks:
    - task:
        name: Start
        refId: start
        actions:
          - jumpToTask:
              name: Go on
              targetTaskRef: /inboundCall/tasks/task[closed_old]
    - task:
        name: Closed
        refId: closed
        actions:
          - disconnect:
              name: Bye
"""}, bad=True),
            Example("references that resolve", {"main.yaml": """\
inboundCall:
  name: Main
  startUpRef: /inboundCall/tasks/task[start]
  tasks:
    - task:
        name: Start
        refId: start
        actions:
          - jumpToTask:
              name: Go on
              targetTaskRef: /inboundCall/tasks/task[closed]
    - task:
        name: Closed
        refId: closed
        actions:
          - disconnect:
              name: Bye
"""}, bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        for flow in ctx.project.flows:
            for reference in flow.references:
                if reference.resolved is None:
                    yield ctx.diagnostic(
                        self.info.code,
                        f"{reference.key} '{reference.value.text}' does not resolve to anything in flow "
                        f"'{flow.name}': check the refId/id it names (renamed or deleted?)",
                        reference.value.loc,
                        flow=flow,
                    )


RULE = UnresolvedReference()
