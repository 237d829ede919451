"""The attribute table: every Set and Get site of participant, conversation and secured data."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field

from flowlint.ir import DATA_GET_KINDS, Action, ActionKind, DataAttribute, Flow, Project
from flowlint.loaders.placeholders import has_placeholder


class Store(enum.StrEnum):
    """Where an attribute lives. Conversation data is participant data addressed by id."""

    PARTICIPANT = "participant"
    SECURED = "secured"


_STORE = {
    ActionKind.SET_PARTICIPANT_DATA: Store.PARTICIPANT,
    ActionKind.GET_PARTICIPANT_DATA: Store.PARTICIPANT,
    ActionKind.SET_CONVERSATION_DATA: Store.PARTICIPANT,
    ActionKind.GET_CONVERSATION_DATA: Store.PARTICIPANT,
    ActionKind.SET_SECURED_DATA: Store.SECURED,
    ActionKind.GET_SECURED_DATA: Store.SECURED,
}


#: How messages name the data actions.
DATA_ACTION_LABELS = {
    ActionKind.SET_PARTICIPANT_DATA: "Set Participant Data",
    ActionKind.GET_PARTICIPANT_DATA: "Get Participant Data",
    ActionKind.SET_CONVERSATION_DATA: "Set Conversation Data",
    ActionKind.GET_CONVERSATION_DATA: "Get Conversation Data",
    ActionKind.SET_SECURED_DATA: "Set Secured Data",
    ActionKind.GET_SECURED_DATA: "Get Secured Data",
}


def other_store(store: Store) -> Store:
    """The store a name in ``store`` is not in (participant and secured data never meet)."""
    return Store.PARTICIPANT if store is Store.SECURED else Store.SECURED


@dataclass(slots=True, eq=False)
class Site:
    flow: Flow
    action: Action
    attribute: DataAttribute
    store: Store
    is_set: bool
    #: The literal attribute name; None when the name is computed (dynamic) or templated.
    name: str | None

    @property
    def variable(self) -> str | None:
        """For Gets: the variable that receives the value."""
        value = self.attribute.variable
        return value.text if value is not None else None


@dataclass(slots=True)
class AttributeTable:
    sites: list[Site] = field(default_factory=lambda: [])
    #: (store, exact name) -> Set sites.
    sets: dict[tuple[Store, str], list[Site]] = field(default_factory=lambda: defaultdict(list))
    #: (store, lower-cased name) -> Set sites, for case-insensitive lookups.
    sets_folded: dict[tuple[Store, str], list[Site]] = field(default_factory=lambda: defaultdict(list))

    @property
    def gets(self) -> list[Site]:
        return [site for site in self.sites if not site.is_set]

    def flows_setting(self, store: Store, name: str) -> set[str]:
        return {site.flow.name for site in self.sets.get((store, name), [])}


def literal_name(attribute: DataAttribute) -> str | None:
    name = attribute.literal_name
    if name is None or has_placeholder(name):
        return None
    return name


def store_of(kind: ActionKind) -> Store | None:
    return _STORE.get(kind)


def build_attribute_table(project: Project, report: frozenset[str] | None = None) -> AttributeTable:
    """Every Set and Get site of ``project``; with ``report`` (file paths), the Gets of those
    files only: the incremental analysis wants findings there alone, and every Set still
    counts for them."""
    table = AttributeTable()
    for flow in project.flows:
        gets = report is None or flow.file.path in report
        for action, attribute in flow.iter_attributes():
            store = _STORE.get(action.kind)
            if store is None:
                continue
            is_set = action.kind not in DATA_GET_KINDS
            if not (is_set or gets):
                continue
            site = Site(flow, action, attribute, store, is_set, literal_name(attribute))
            table.sites.append(site)
            if site.is_set and site.name is not None:
                table.sets[(store, site.name)].append(site)
                table.sets_folded[(store, site.name.lower())].append(site)
    return table
