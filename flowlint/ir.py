"""The intermediate representation every rule reads, whatever the input format.

Project -> Flow -> Container (task / state / menu / bot / start-up actions) -> Action.
Actions of a flow live in one flat list (``Flow.actions``); containers and edges refer
to them by index, which keeps the control-flow graph cheap to build and to pickle.

Every node carries a :class:`Loc`: the file, a logical location (readable path such as
``task "Greet" > action "Read account"``) and, where the format has lines, a
:class:`Span`.  Spans use 1-based lines and columns counted in Unicode code points of
the *original* text (placeholders included); ``end_column`` is exclusive.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple


class Span(NamedTuple):
    line: int
    column: int
    end_line: int
    end_column: int


class SourceFormat(enum.StrEnum):
    YAML = "yaml"
    EXPORT = "export"
    JSON = "json"


#: A JSON pointer-like path (keys and list indices) into a JSON document.
Pointer = tuple[str | int, ...]


@dataclass(slots=True, eq=False)
class SourceFile:
    """One file on disk (or an editor buffer) and what is needed to locate things in it."""

    path: str
    format: SourceFormat
    #: The text the positions refer to: the YAML text, or the JSON text (decoded for exports).
    text: str = ""
    #: token -> original placeholder text, for Archy YAML files with ``{{x}}``/``${x}``/``<x>``.
    placeholders: dict[str, str] = field(default_factory=lambda: {})
    #: Lazily resolves a JSON pointer to a span (JSON files compute positions only on demand).
    locator: Callable[[Pointer], Span | None] | None = None

    def resolve(self, loc: Loc) -> Span | None:
        if loc.span is not None:
            return loc.span
        if loc.pointer is not None and self.locator is not None:
            span = self.locator(loc.pointer)
            loc.span = span
            return span
        return None


@dataclass(slots=True, eq=False)
class Loc:
    file: SourceFile
    #: Readable logical location, stable when lines move (used by exports and baselines).
    logical: str
    span: Span | None = None
    pointer: Pointer | None = None

    def child(self, logical_suffix: str, span: Span | None = None, pointer: Pointer | None = None) -> Loc:
        logical = f"{self.logical} > {logical_suffix}" if self.logical else logical_suffix
        return Loc(self.file, logical, span, pointer)


class ValueKind(enum.StrEnum):
    LIT = "lit"
    EXP = "exp"
    VAR = "var"
    NO_VALUE = "noValue"
    TTS = "tts"
    NONE = "none"
    #: A bare scalar where a wrapper was expected (e.g. YAML ``variable: Flow.x``).
    BARE = "bare"
    #: Anything else (structured literal, unknown wrapper).
    OTHER = "other"


class ScalarSource(NamedTuple):
    """Where a YAML scalar's raw text lies, so offsets inside its *value* map back to the file.

    ``start``/``end`` are code-point indexes into :attr:`SourceFile.text`; ``style`` is the
    YAML scalar style: ``""`` plain, ``'"'``, ``"'"``, ``"|"`` or ``">"``.
    """

    start: int
    end: int
    style: str


@dataclass(slots=True, eq=False)
class Value:
    kind: ValueKind
    #: Scalar text with placeholders restored; None for structured literals.
    text: str | None
    loc: Loc
    scalar: ScalarSource | None = None
    #: Structured literal content (e.g. ``lit: {name: Queue}``) as plain Python data.
    data: object = None

    @property
    def literal(self) -> str | None:
        """The literal string, when this value is a literal scalar."""
        if self.kind in (ValueKind.LIT, ValueKind.BARE) and self.text is not None:
            return self.text
        return None


class ActionKind(enum.StrEnum):
    SET_PARTICIPANT_DATA = "set_participant_data"
    GET_PARTICIPANT_DATA = "get_participant_data"
    SET_SECURED_DATA = "set_secured_data"
    GET_SECURED_DATA = "get_secured_data"
    SET_CONVERSATION_DATA = "set_conversation_data"
    GET_CONVERSATION_DATA = "get_conversation_data"
    SET_SCREEN_POP = "set_screen_pop"
    TRANSFER_TO_FLOW = "transfer_to_flow"
    TRANSFER_TO_SECURE_FLOW = "transfer_to_secure_flow"
    TRANSFER_TO_ACD = "transfer_to_acd"
    CALL_COMMON_MODULE = "call_common_module"
    CALL_BOT_FLOW = "call_bot_flow"
    CALL_DIGITAL_BOT_FLOW = "call_digital_bot_flow"
    DECISION = "decision"
    SWITCH = "switch"
    LOOP = "loop"
    LOOP_NEXT = "loop_next"
    LOOP_EXIT = "loop_exit"
    JUMP_TO_TASK = "jump_to_task"
    CALL_TASK = "call_task"
    END_TASK = "end_task"
    JUMP_TO_MENU = "jump_to_menu"
    CHANGE_STATE = "change_state"
    UPDATE_DATA = "update_data"
    CALL_DATA_ACTION = "call_data_action"
    DATA_TABLE_LOOKUP = "data_table_lookup"
    DISCONNECT = "disconnect"
    END_FLOW = "end_flow"
    #: Synthetic entry node of a menu: its successors are the menu's choices.
    MENU = "menu"
    OTHER = "other"


DATA_SET_KINDS = frozenset(
    {ActionKind.SET_PARTICIPANT_DATA, ActionKind.SET_SECURED_DATA, ActionKind.SET_CONVERSATION_DATA}
)
DATA_GET_KINDS = frozenset(
    {ActionKind.GET_PARTICIPANT_DATA, ActionKind.GET_SECURED_DATA, ActionKind.GET_CONVERSATION_DATA}
)


class EdgeKind(enum.StrEnum):
    NEXT = "next"  # the following action in the same list (or the enclosing block's continuation)
    OUTPUT = "output"  # a named output path (decision yes/no, callData success, ...)
    CASE = "case"  # a switch case; label is the case number
    DEFAULT = "default"  # switch default
    LOOP_BODY = "loop_body"
    LOOP_BACK = "loop_back"  # end of a loop body, or loopNext, back to the loop action
    LOOP_DONE = "loop_done"  # loop finished (count reached or loopExit)
    JUMP = "jump"  # jumpToTask, jumpToMenu, changeState, menu choice jump
    CALL = "call"  # callTask: into the task; the task's endTask returns to the call's outputs
    CHOICE = "choice"  # menu -> one of its choices


class Edge(NamedTuple):
    kind: EdgeKind
    label: str
    #: Target action index; None means "leaves the container here" (end of task/state/flow).
    target: int | None


@dataclass(slots=True, eq=False)
class DataAttribute:
    """One name/value (Set) or name/variable (Get) pair of a participant/conversation/secured data action."""

    name: Value
    loc: Loc
    #: Set: the value written.
    value: Value | None = None
    #: Get: the variable that receives the value (its text is the variable name).
    variable: Value | None = None
    #: Get: the action that first reads ``variable`` after the Get, when it tests whether it
    #: is set (``IsNotSetOrEmpty``): a guarded read.  Per-file facts (:func:`flowlint.analysis
    #: .reads.annotate`), kept when a flow's values are dropped for the cross-flow stage.
    guarded_by: Loc | None = None
    #: Get: nothing in the flow reads ``variable``.
    unused: bool = False

    @property
    def literal_name(self) -> str | None:
        """The attribute name when it is a literal; None when it is computed (dynamic)."""
        return self.name.literal


@dataclass(slots=True, eq=False)
class Action:
    index: int
    kind: ActionKind
    #: The spelling in the file: YAML action key or export ``__type``.
    key: str
    name: str
    loc: Loc
    container: int
    attributes: list[DataAttribute] = field(default_factory=lambda: [])
    #: Every value wrapper of this action, outside nested action lists: (field path, value).
    values: list[tuple[str, Value]] = field(default_factory=lambda: [])
    #: Output bindings: variables this action writes (``var:`` wrappers, updateData targets).
    bindings: list[tuple[str, Value]] = field(default_factory=lambda: [])
    #: Name of the external entity or in-flow reference this action targets: flow name for
    #: transfers, module/bot name, script name for screen pops, ``refId`` for jumps/calls.
    target: Value | None = None
    succ: list[Edge] = field(default_factory=lambda: [])
    #: The whole action (key to end of its body, nested actions included), where the format
    #: has lines: suppression comments and editors use it; ``loc.span`` is just the key.
    extent: Span | None = None
    #: The keys of the action's body that the action catalog does not list for it, with their
    #: spans (Archy YAML actions whose keys are settled only): FL109 reports them.
    body_keys: list[tuple[str, Span]] = field(default_factory=lambda: [])

    def values_at(self, prefix: str) -> Iterator[tuple[str, Value]]:
        for path, value in self.values:
            if path.startswith(prefix):
                yield path, value


@dataclass(slots=True, eq=False)
class Variable:
    name: str
    type: str
    loc: Loc
    is_input: bool = False
    is_output: bool = False
    is_secure: bool = False
    #: Index of the declaring container, None for flow-level variables.
    container: int | None = None


class ContainerKind(enum.StrEnum):
    TASK = "task"
    STATE = "state"
    MENU = "menu"
    BOT = "bot"
    STARTUP = "startUpTaskActions"
    #: A task written inline in a menu choice (``menuTask``) or an export loop body.
    INLINE = "inline"


@dataclass(slots=True, eq=False)
class Container:
    index: int
    kind: ContainerKind
    name: str
    ref_id: str | None
    loc: Loc
    #: First action run when the container is entered; None for an empty container.
    entry: int | None = None
    actions: list[int] = field(default_factory=lambda: [])
    variables: list[Variable] = field(default_factory=lambda: [])


@dataclass(slots=True, eq=False)
class Reference:
    """An in-flow reference (startUpRef, targetTaskRef, export nextAction, ...) for FL103."""

    key: str
    value: Value
    #: Index of the resolved container (refs to containers) or action (export ids); None = dangling.
    resolved: int | None


@dataclass(slots=True, eq=False)
class Flow:
    name: str
    #: Platform API type, lower case (``inboundcall``, ``bot``, ``digitalbot``, ...).
    type: str
    #: The spelling in the file: YAML top-level key, or the export ``type``.
    type_key: str
    file: SourceFile
    loc: Loc
    name_loc: Loc
    containers: list[Container] = field(default_factory=lambda: [])
    actions: list[Action] = field(default_factory=lambda: [])
    variables: list[Variable] = field(default_factory=lambda: [])
    references: list[Reference] = field(default_factory=lambda: [])
    #: Container the flow starts in (startUpRef / initialSequence / startUpTaskActions).
    entry_container: int | None = None
    #: For common modules: the flow types it declares compatibility with.
    compatible_flow_types: list[str] = field(default_factory=lambda: [])
    #: Who deploys this flow (``module.support.genesyscloud_flow.this``, an options file),
    #: when the repository says; the flow's name and values are then the deployed ones.
    deployment: str | None = None
    #: The Terraform root directory that deploys it ("" when not deployed by Terraform):
    #: flows of different roots go to different organisations (dev/prod) and never meet.
    root: str = ""

    @property
    def entry_action(self) -> int | None:
        if self.entry_container is None:
            return None
        return self.containers[self.entry_container].entry

    def iter_attributes(self) -> Iterator[tuple[Action, DataAttribute]]:
        for action in self.actions:
            for attribute in action.attributes:
                yield action, attribute


@dataclass(slots=True, eq=False)
class Project:
    flows: list[Flow] = field(default_factory=lambda: [])
    files: list[SourceFile] = field(default_factory=lambda: [])
