"""FL900: a ``# flowlint: disable`` comment that suppresses nothing (reported by the engine)."""

from flowlint.diagnostics import Severity
from flowlint.registry import Example, Rule, RuleInfo

_FLOW = """\
inboundCall:
  name: Main
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          {comment}
          - setParticipantData:
              name: Remember
              attributes:
                - attribute:
                    name:
                      lit: {name}
                    value:
                      exp: Call.Ani
          - disconnect:
              name: Done
"""


class UnusedSuppression(Rule):
    info = RuleInfo(
        code="FL900",
        name="unused-suppression",
        severity=Severity.WARNING,
        summary="A `# flowlint: disable=...` comment names a rule that has no finding where it applies, "
                "or the comment is not understood.",
        why=(
            "Suppression comments outlive the problems they hid: once a flow is fixed, a stale "
            "`# flowlint: disable=FL005` silently hides the next, real FL005 in the same action. Reporting "
            "unused suppressions (like ruff's RUF100) keeps every remaining one deliberate. A misspelt "
            "directive or an unknown code is reported too, since it never suppressed anything. Suppressions of "
            "rules that are switched off for the file (select, ignore, per-file-ignores) are not judged. "
            "Use `# flowlint: disable-file=FL900` or the configuration to silence this rule."
        ),
        examples=(
            Example("suppressing a finding that does not occur",
                    {"main.yaml": _FLOW.format(comment="# flowlint: disable=FL002", name="CallerAni")}, bad=True),
            Example("a misspelt directive",
                    {"main.yaml": _FLOW.format(comment="# flowlint: disabel=FL002", name='""')}, bad=True),
            Example("an unknown rule code",
                    {"main.yaml": _FLOW.format(comment="# flowlint: disable=FL002,FL9999", name='""')}, bad=True),
            Example("the suppression hides a real finding",
                    {"main.yaml": _FLOW.format(comment="# flowlint: disable=FL002 -- named by the CRM team",
                                               name='""')}, bad=False),
            Example("suppression by rule name",
                    {"main.yaml": _FLOW.format(comment="# flowlint: disable=empty-attribute-name", name='""')},
                    bad=False),
        ),
    )


RULE = UnusedSuppression()
