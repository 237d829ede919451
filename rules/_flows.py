"""Builders for the Archy YAML in rule examples, so each example shows only what matters.

The text they produce is what `flowlint explain` prints and what the example tests lint.
"""

import textwrap


def task_flow(name: str, actions: str, *, task: str = "Start", flow_type: str = "inboundCall",
              settings: str = "") -> str:
    """A flow of ``flow_type`` whose one task runs ``actions`` (YAML list items, unindented)."""
    return (f"{flow_type}:\n  name: {name}\n{textwrap.indent(settings, '  ')}"
            f"  startUpRef: /{flow_type}/tasks/task[t]\n  tasks:\n    - task:\n        name: {task}\n"
            f"        refId: t\n        actions:\n{textwrap.indent(actions, ' ' * 10)}")


def web_chat_flow(attribute: str) -> str:
    """An inbound chat flow that reads ``attribute`` from the conversation (the web chat
    widget writes its form's fields as ``context.<field>``)."""
    return task_flow('Web chat', f"""\
- getParticipantData:
    name: Read the form
    attributes:
      - attribute:
          name:
            lit: {attribute}
          variable: Task.email
- disconnect:
    name: Done
""", flow_type="inboundChat")


def decision_flow(question: str, condition: str) -> str:
    """A flow 'Main' whose task asks ``question`` with the expression ``condition`` and
    disconnects on either answer: the smallest home for an expression in an example."""
    return task_flow("Main", f"""\
- decision:
    name: {question}
    condition:
      exp: {condition}
    outputs:
      yes:
        actions:
          - disconnect:
              name: Bye
- disconnect:
    name: End
""", task="Main")
