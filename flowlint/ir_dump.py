"""A compact, deterministic text dump of an IR Flow, for golden tests and debugging.

One line for the flow, one per variable, container, action and reference::

    flow "Name" type=inboundcall key=inboundCall entry=c0 compatible=[]
      var Flow.x StringVariable in,out
    c0 task "Start" ref=T1 entry=a0 @task "Start"
      var Task.y StringVariable
      a0 set_participant_data SetAttributesAction "Set data" @5:7-9:1 attrs={name=lit:"k" value=exp:"Call.Ani"} -> [next] a1
    ref nextAction lit:"x" -> none

Values print as ``kind:"text"`` (JSON string escapes).  Values written to or read from
secured data are never printed (``<secured>``).
"""

from __future__ import annotations

import json

from flowlint.ir import Action, ActionKind, DataAttribute, Edge, Flow, Loc, Value, Variable

_SECURED = frozenset({ActionKind.SET_SECURED_DATA, ActionKind.GET_SECURED_DATA})


def _quote(text: str | None) -> str:
    return "null" if text is None else json.dumps(text, ensure_ascii=False)


def _value(value: Value | None, secured: bool = False) -> str:
    if value is None:
        return "-"
    if secured:
        return f"{value.kind.value}:<secured>"
    return f"{value.kind.value}:{_quote(value.text)}"


def _where(loc: Loc) -> str:
    span = loc.span
    if span is not None:
        return f"@{span.line}:{span.column}-{span.end_line}:{span.end_column}"
    return f"@{loc.logical}"


def _edge(edge: Edge) -> str:
    label = f"{edge.kind.value}:{edge.label}" if edge.label else edge.kind.value
    target = "none" if edge.target is None else f"a{edge.target}"
    return f"[{label}] {target}"


def _attribute(attribute: DataAttribute, secured: bool) -> str:
    parts = [f"name={_value(attribute.name)}"]
    if attribute.value is not None:
        parts.append(f"value={_value(attribute.value, secured)}")
    if attribute.variable is not None:
        parts.append(f"variable={_value(attribute.variable)}")
    return "{" + " ".join(parts) + "}"


def _variable(variable: Variable) -> str:
    flags = [flag for flag, on in (("in", variable.is_input), ("out", variable.is_output),
                                   ("secure", variable.is_secure)) if on]
    return f"var {variable.name} {variable.type}" + (f" {','.join(flags)}" if flags else "")


def _action(action: Action) -> str:
    secured = action.kind in _SECURED
    parts = [f"a{action.index}", action.kind.value, action.key, _quote(action.name), _where(action.loc)]
    if action.attributes:
        parts.append("attrs=" + ",".join(_attribute(a, secured) for a in action.attributes))
    if action.target is not None:
        parts.append(f"target={_value(action.target)}")
    if action.bindings:
        parts.append("binds=" + ",".join(_quote(v.text) for _, v in action.bindings))
    parts.append(f"values={len(action.values)}")
    if action.succ:
        parts.append("-> " + ", ".join(_edge(e) for e in action.succ))
    return " ".join(parts)


def dump_flow(flow: Flow) -> str:
    entry = "none" if flow.entry_container is None else f"c{flow.entry_container}"
    lines = [f"flow {_quote(flow.name)} type={flow.type} key={flow.type_key} entry={entry}"
             + (f" compatible=[{','.join(flow.compatible_flow_types)}]" if flow.compatible_flow_types else "")]
    lines.extend(f"  {_variable(v)}" for v in flow.variables)
    for container in flow.containers:
        entry_action = "none" if container.entry is None else f"a{container.entry}"
        lines.append(f"c{container.index} {container.kind.value} {_quote(container.name)} "
                     f"ref={container.ref_id} entry={entry_action} {_where(container.loc)}")
        lines.extend(f"  {_variable(v)}" for v in container.variables)
        lines.extend(f"  {_action(flow.actions[i])}" for i in container.actions)
    for reference in flow.references:
        resolved = "none" if reference.resolved is None else str(reference.resolved)
        lines.append(f"ref {reference.key} {_value(reference.value)} -> {resolved}")
    return "\n".join(lines) + "\n"
