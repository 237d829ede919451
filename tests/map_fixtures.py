"""A small project for the map and inventory tests: links of every kind, Sets reaching Gets
across flows, a case variant, secured data, awkward names, and planted literal values that
no map or inventory output may ever contain."""

from __future__ import annotations

from pathlib import Path

#: Literal values planted in the flows: none may appear in any output.
SECRETS = ("PLANTED-LIT-4c1d", "PLANTED-SECURED-9f2e", "PLANTED-EXP-77ab", "PLANTED-NAME-EXP-31c0",
           "PLANTED-TTS-0b5a")
#: A flow name that needs escaping in every format.
ODD_NAME = 'Say "hi" [x] (y) #1 | <b>&'

_MAIN = """\
inboundCall:
  name: Main Line
  division: Home
  defaultLanguage: en-us
  startUpRef: /inboundCall/tasks/task[t1]
  initialGreeting:
    tts: PLANTED-TTS-0b5a
  variables:
    - stringVariable:
        name: Flow.card
        initialValue:
          noValue: true
  tasks:
    - task:
        name: Start
        refId: t1
        actions:
          - setParticipantData:
              name: Remember account
              attributes:
                - attribute:
                    name:
                      lit: AccountId
                    value:
                      lit: PLANTED-LIT-4c1d
                - attribute:
                    name:
                      exp: Append("PLANTED-NAME-EXP-31c0", "x")
                    value:
                      exp: Append("PLANTED-EXP-77ab", "y")
          - setSecuredData:
              name: Keep card
              attributes:
                - attribute:
                    name:
                      lit: CardRef
                    value:
                      lit: PLANTED-SECURED-9f2e
          - getSecuredData:
              name: Read card
              attributes:
                - attribute:
                    name:
                      lit: CardRef
                    variable: Flow.card
          - setParticipantData:
              name: Leak card
              attributes:
                - attribute:
                    name:
                      lit: CardCopy
                    value:
                      exp: Flow.card
          - callCommonModule:
              name: Call helper
              commonModule:
                Helper Module:
                  ver_latestVersion:
          - transferToFlow:
              name: To odd
              targetFlow:
                name: '{odd}'
          - transferToFlow:
              name: To support
              targetFlow:
                name: Support Line
          - transferToFlow:
              name: To nowhere
              targetFlow:
                name: Nowhere Flow
"""

_SUPPORT = """\
inboundCall:
  name: Support Line
  division: Home
  defaultLanguage: en-us
  startUpRef: /inboundCall/tasks/task[t1]
  initialGreeting:
    tts: Hello.
  variables:
    - stringVariable:
        name: Flow.account
        initialValue:
          noValue: true
  tasks:
    - task:
        name: Start
        refId: t1
        actions:
          - getParticipantData:
              name: Read account
              attributes:
                - attribute:
                    name:
                      lit: AccountId
                    variable: Flow.account
          - getParticipantData:
              name: Read account badly
              attributes:
                - attribute:
                    name:
                      lit: accountid
                    variable: Flow.account
          - disconnect:
              name: Bye
"""

_ODD = """\
inboundCall:
  name: '{odd}'
  division: Home
  defaultLanguage: en-us
  startUpRef: /inboundCall/tasks/task[t1]
  initialGreeting:
    tts: Hello.
  tasks:
    - task:
        name: Start
        refId: t1
        actions:
          - disconnect:
              name: Bye
"""

_MODULE = """\
commonModule:
  name: Helper Module
  division: Home
  startUpRef: /commonModule/tasks/task[t1]
  tasks:
    - task:
        name: Start
        refId: t1
        actions:
          - endTask:
              name: Done
"""


def write_project(root: Path) -> Path:
    """The project under ``root``/project; returns that directory."""
    project = root / "project"
    (project / "flows").mkdir(parents=True)
    (project / ".flowlint.toml").write_text("", encoding="utf-8")
    odd = ODD_NAME.replace("'", "''")
    (project / "flows" / "main.yaml").write_text(_MAIN.format(odd=odd), encoding="utf-8")
    (project / "flows" / "support.yaml").write_text(_SUPPORT, encoding="utf-8")
    (project / "flows" / "odd.yaml").write_text(_ODD.format(odd=odd), encoding="utf-8")
    (project / "flows" / "module.yaml").write_text(_MODULE, encoding="utf-8")
    return project
