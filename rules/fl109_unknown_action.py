"""FL109: an action key that is not an Archy action (or a key an action does not have)."""

import difflib
from collections.abc import Iterable, Iterator

from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.ir import Action, ActionKind, EdgeKind, Flow, Loc, SourceFormat
from flowlint.registry import Example, Rule, RuleInfo
from flowlint.tables import ActionCatalog, action_catalog, action_table
from ._flows import task_flow

_SET_VARIABLE = """\
- setVariable:
    name: Remember the account
    variable: Flow.account
    value:
      exp: Call.Ani
- disconnect:
    name: End
"""
_UPDATE_DATA = """\
- updateData:
    name: Remember the account
    statements:
      - string:
          variable: Flow.account
          value:
            exp: Call.Ani
- disconnect:
    name: End
"""
_VARIABLES = "variables:\n  - stringVariable:\n      name: Flow.account\n      initialValue:\n        noValue: true\n"


def _closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``word`` most likely misspells: same letters in another case first."""
    pool = sorted(candidates)
    lowered = word.lower()
    for candidate in pool:
        if candidate.lower() == lowered:
            return candidate
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.8)
    return close[0] if close else None


def _menu_form(key: str) -> str:
    return "menu" + key[:1].upper() + key[1:]


def _task_form(key: str) -> str:
    rest = key[len("menu"):]
    return rest[:1].lower() + rest[1:]


class UnknownAction(Rule):
    per_file = True  # findings depend on this file only
    info = RuleInfo(
        code="FL109",
        name="unknown-action",
        severity=Severity.ERROR,
        summary="An action key that is not an Archy action (or not one for where it stands), or a key that "
                "an action does not have.",
        why=(
            "Archy reads a task's actions as single-key maps whose key names the action (`updateData`, "
            "`jumpToTask`, `decision`); a key it does not know makes it reject the flow, but flowlint would "
            "otherwise skip the action and check the rest as if it were not there. Flows written by hand or by "
            "a code assistant borrow names from other tools (`setVariable`, `gotoTask`, a decision with "
            "`branches:`/`when:`) or misspell real ones (`setParticipantdata`). Keys are checked against the "
            "catalog in flowlint/data/archy_actions.json, built from the Architect Scripting SDK's action "
            "classes and every key used in public flows; menu choices (`menuJumpToTask`, ...) are valid only "
            "in a menu's `choices`, task actions only in action lists. An unknown key inside a known action "
            "(for the actions whose keys are settled) is a warning. Config `action-aliases` makes a spelling "
            "valid."
        ),
        examples=(
            Example("a variable set the way another tool spells it",
                    {"main.yaml": task_flow("Main", _SET_VARIABLE, task="Main", settings=_VARIABLES)}, bad=True),
            Example("Archy's Update Data action",
                    {"main.yaml": task_flow("Main", _UPDATE_DATA, task="Main", settings=_VARIABLES)}, bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        catalog = action_catalog()
        # Config action-aliases are valid anywhere; so is a kind-table spelling the catalog lacks.
        extra = (frozenset(action_table().yaml) - catalog.keys) | frozenset(ctx.config.action_aliases.get("yaml", {}))
        for flow in ctx.project.flows:
            if flow.file.format != SourceFormat.YAML:
                continue
            choices = {edge.target for action in flow.actions if action.kind == ActionKind.MENU
                       for edge in action.succ if edge.kind == EdgeKind.CHOICE}
            for action in flow.actions:
                if action.kind == ActionKind.MENU:
                    continue  # the synthetic entry of a menu, not written in the file
                message = self.misplaced(catalog, extra, action.key, action.index in choices)
                if message is not None:
                    yield ctx.diagnostic(self.info.code, message, action.loc, flow=flow)
                elif action.key in catalog.fields:
                    yield from self.unknown_keys(ctx, catalog, flow, action)

    @staticmethod
    def misplaced(catalog: ActionCatalog, extra: frozenset[str], key: str, is_choice: bool) -> str | None:
        """Why ``key`` is not an action here, or None when it is one."""
        if key in extra:
            return None
        if key in catalog.choices and not is_choice:
            task = _task_form(key)
            hint = f"; in an action list write '{task}'" if task in catalog.actions else ""
            return (f"'{key}' is a menu choice: it belongs in a menu's 'choices', not in an action list{hint}")
        if key in catalog.actions and is_choice:
            menu = _menu_form(key)
            hint = f": write '{menu}'" if menu in catalog.choices else (
                ": run it from a 'menuTask' choice (its 'task: {actions: [...]}')")
            return f"'{key}' is not a menu choice; a menu's 'choices' hold menu choice actions{hint}"
        if key in catalog.keys:
            return None
        valid = catalog.choices if is_choice else catalog.actions
        alias = catalog.aliases.get(key)
        if is_choice and alias is not None:
            alias = _menu_form(alias) if _menu_form(alias) in catalog.choices else None
        near = _closest(key, valid | extra)
        if near is not None:
            hint = f"did you mean '{near}'? (action keys are case-sensitive)"
        elif alias is not None:
            hint = f"Archy's action for this is '{alias}'"
        else:
            hint = ("use one of Architect's actions (flowlint/data/archy_actions.json lists them), or declare the "
                    "spelling in config action-aliases")
        where = "menu choice" if is_choice else "action"
        return f"unknown {where} '{key}': Archy has no such {where} and rejects the flow; {hint}"

    def unknown_keys(self, ctx: Context, catalog: ActionCatalog, flow: Flow, action: Action) -> Iterator[Diagnostic]:
        known = catalog.fields[action.key]
        aliases = catalog.field_aliases.get(action.key, {})
        listed = ", ".join(f"'{k}'" for k in sorted(known - {"name"})) or "only 'name'"
        for key, span in action.body_keys:
            if key in known:
                continue
            near = _closest(key, known)
            meant = near or aliases.get(key)
            hint = f"; did you mean '{meant}'?" if meant is not None else ""
            loc = Loc(flow.file, f"{action.loc.logical} > {key}", span)
            yield ctx.diagnostic(
                self.info.code,
                f"'{key}' is not a key of '{action.key}' (it has {listed}): Archy does not read it{hint}",
                loc, flow=flow, severity=Severity.WARNING)


RULE = UnknownAction()
