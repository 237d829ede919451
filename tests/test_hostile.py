"""Hostile and broken input (issue 8): flowlint never crashes and loses nothing.

Every case is generated here, at test time (nothing big is committed), and linted *together
with a good flow*: the good flow's findings must come out exactly as when it is linted
alone, and the hostile file must get the outcome the case names (an FL100 with a clear
message, FL101, linted like its well-formed twin, or skipped as not a flow).

Small cases run in this process and are also rendered in every output format.  Big or
dangerous ones (alias bombs, 100,000-deep nesting, a 50 MB file, a 5 MB expression) run the
real command line in a subprocess with a timeout, so a crash or a hang fails one test; their
time and peak memory are printed (``pytest -s``) for the issue's closing note.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from flowlint.diagnostics import Diagnostic
from flowlint.engine import CheckResult, check_paths
from flowlint.ir import Span
from flowlint.reporters import FORMATS, Report, render

GOOD = """\
inboundCall:
  name: Good Flow
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          - setParticipantData:
              name: Note
              attributes:
                - attribute:
                    name:
                      lit: " "
                    value:
                      exp: Call.Ani
          - getParticipantData:
              name: Read
              attributes:
                - attribute:
                    name:
                      lit: NobodySetsThis
                    variable: Flow.x
          - disconnect:
              name: Bye
"""

#: A well-formed flow with one finding (FL002 at 14:28); encodings and line endings of it must
#: give the same finding at the same place.
PROBE = """\
inboundCall:
  name: Probe
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          - setParticipantData:
              name: Blank name
              attributes:
                - attribute:
                    name:
                      lit: "  "
                    value:
                      lit: x
          - disconnect:
              name: Bye
"""

HOSTILE = "hostile"  # every hostile file's name starts with this; "good.yaml" sorts before it


def flow_with(actions: str, name: str = "Hostile") -> str:
    """A one-task inbound flow running ``actions`` (YAML list items, unindented)."""
    return (f"inboundCall:\n  name: {name}\n  startUpRef: /inboundCall/tasks/task[t]\n  tasks:\n"
            f"    - task:\n        name: T\n        refId: t\n        actions:\n"
            f"{textwrap.indent(actions, ' ' * 10)}")


def export_of(document: object) -> bytes:
    """An Architect export: base64 of the percent-encoded JSON document."""
    return base64.b64encode(quote(json.dumps(document)).encode("ascii"))


# --------------------------------------------------------------------------- expectations

Files = dict[str, bytes]
#: A finding as compared across runs: code, span, message.
Finding = tuple[str, Span | None, str]


def mine(result: CheckResult, name: str) -> list[Diagnostic]:
    return [d for d in result.diagnostics if os.path.basename(d.file) == name]


def fl100(fragment: str, at: tuple[int, int] | None = None) -> Callable[[CheckResult, str], None]:
    """One FL100 saying ``fragment``, at line and column ``at`` if given."""
    def check(result: CheckResult, name: str) -> None:
        found = mine(result, name)
        assert [d.code for d in found] == ["FL100"], found
        assert fragment in found[0].message, found[0].message
        span = found[0].span
        assert at is None or (span is not None and (span.line, span.column) == at), span
    return check


def has(code: str, fragment: str = "") -> Callable[[CheckResult, str], None]:
    def check(result: CheckResult, name: str) -> None:
        found = [d for d in mine(result, name) if d.code == code and fragment in d.message]
        assert found, mine(result, name)
    return check


def linted(result: CheckResult, name: str) -> None:
    """Loaded as a flow, and not reported as unreadable."""
    assert not [d for d in mine(result, name) if d.code == "FL100"], mine(result, name)
    assert any(os.path.basename(f.file.path) == name for f in result.project.flows)


def like_probe(result: CheckResult, name: str) -> None:
    """The same findings, at the same places, as the plain UTF-8 probe."""
    linted(result, name)
    assert [(d.code, d.span) for d in mine(result, name)] == [("FL002", (14, 28, 14, 32))]


def skipped(result: CheckResult, name: str) -> None:
    """Not a flow: no finding and not counted as a flow file."""
    assert not mine(result, name)
    assert not any(os.path.basename(f.path) == name for f in result.project.files)


@dataclass(frozen=True)
class Case:
    id: str
    #: The hostile file's name (also the only file in ``files`` unless ``files`` says more).
    name: str
    content: bytes
    expect: Callable[[CheckResult, str], None]
    #: Extra files the case needs (e.g. the other half of an anchor split across files).
    others: tuple[tuple[str, bytes], ...] = ()


def _deep_json(depth: int) -> str:
    return '{"name": "Deep", "flowSequenceItemList": ' + "[" * depth + "]" * depth + "}"


def _nested_decisions(depth: int) -> str:
    """Decisions nested ``depth`` deep through their "yes" outputs (5 YAML levels each: about
    the most libyaml's 1,000-level limit allows)."""
    inner = "{disconnect: {name: Bye}}"
    for level in range(depth):
        inner = f"{{decision: {{name: D{level}, condition: {{exp: 'true'}}, outputs: {{yes: {{actions: [{inner}]}}}}}}}}"
    return inner


_UTF8_PROBE = PROBE.encode("utf-8")
_BOMB = "\n".join(
    ["  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)])

CASES = [
    # -- encodings and line endings
    Case("invalid-utf8", f"{HOSTILE}.yaml", _UTF8_PROBE.replace(b"Probe", b"Pr\xffbe"),
         fl100("not valid UTF-8 (byte 23: invalid start byte)", at=(2, 11))),
    Case("invalid-utf8-after-bom-and-cr", f"{HOSTILE}.yaml",
         b"\xef\xbb\xbf" + _UTF8_PROBE.replace(b"\n", b"\r").replace(b"Probe", b"Pr\xffbe"),
         fl100("not valid UTF-8 (byte 26: invalid start byte)", at=(2, 11))),
    Case("utf16-le-bom", f"{HOSTILE}.yaml", PROBE.encode("utf-16"), like_probe),
    Case("utf16-be-bom", f"{HOSTILE}.yaml", b"\xfe\xff" + PROBE.encode("utf-16-be"), like_probe),
    Case("utf8-bom", f"{HOSTILE}.yaml", b"\xef\xbb\xbf" + _UTF8_PROBE, like_probe),
    Case("nul-byte", f"{HOSTILE}.yaml", _UTF8_PROBE.replace(b"name: Probe", b"name: Pr\x00be"),
         fl100("NUL character at offset 23", at=(2, 11))),
    Case("crlf", f"{HOSTILE}.yaml", _UTF8_PROBE.replace(b"\n", b"\r\n"), like_probe),
    Case("lone-cr", f"{HOSTILE}.yaml", _UTF8_PROBE.replace(b"\n", b"\r"), like_probe),
    Case("tab-indent", f"{HOSTILE}.yaml", _UTF8_PROBE.replace(b"\n  tasks:", b"\n\ttasks:"),
         fl100("invalid YAML: found a tab character that violates indentation")),
    Case("tabs-in-values", f"{HOSTILE}.yaml", _UTF8_PROBE.replace(b"name: Bye", b"name:\tBye\t\t"), like_probe),
    # Without a byte-order mark UTF-16 is ASCII with NULs in between: no flow key shows.
    Case("utf16-without-bom", f"{HOSTILE}.yaml", PROBE.encode("utf-16-le"), skipped),
    # -- garbage with flow extensions
    Case("garbage-yaml", f"{HOSTILE}.yaml", bytes(range(256)) * 64, skipped),
    Case("garbage-after-flow-key", f"{HOSTILE}.yml", b"inboundCall:\n  name: X\n" + bytes(range(256)), fl100("")),
    Case("garbage-export", f"{HOSTILE}.i3InboundFlow", bytes(range(256)) * 64, fl100("not valid base64")),
    Case("garbage-json", f"{HOSTILE}.json", bytes(range(256)) * 64, skipped),
    Case("empty-export", f"{HOSTILE}.i3InboundFlow", b"", fl100("the file is empty")),
    Case("truncated-base64", f"{HOSTILE}.i3InboundFlow",
         export_of({"name": "T", "flowSequenceItemList": []})[:-3], fl100("not valid base64")),
    Case("base64-of-invalid-json", f"{HOSTILE}.i3InboundFlow", base64.b64encode(b'{"name": "x", [}'),
         fl100("decoded text is not valid JSON")),
    Case("base64-of-non-utf8", f"{HOSTILE}.i3InboundFlow", base64.b64encode(b"%FF%FE"), fl100("not UTF-8")),
    Case("export-wrong-shape", f"{HOSTILE}.i3InboundFlow", export_of({"flowSequenceItemList": {"a": 1}}),
         fl100("/flowSequenceItemList is not a list")),
    Case("export-not-a-flow", f"{HOSTILE}.i3InboundFlow", export_of([1, 2, 3]), fl100("not a flow document")),
    Case("json-wrong-shape", f"{HOSTILE}.json", b'{"name": "W", "flowSequenceItemList": "nope"}',
         fl100("/flowSequenceItemList is not a list")),
    Case("json-ill-typed-inside", f"{HOSTILE}.json", json.dumps({
        "name": "Typed", "type": 5, "flowSequenceItemList": [None, 3, {"__type": "Task", "actionList": {"a": 1}},
                                                             {"__type": 7, "id": [], "actionList": [None, "x"]}],
    }).encode(), linted),
    Case("json-broken", f"{HOSTILE}.json", b'{"name": "B", "flowSequenceItemList": [1, }', fl100("not valid JSON")),
    Case("json-lone-surrogates", f"{HOSTILE}.json", json.dumps({
        "name": "Sur\ud800rogate", "type": "inboundcall", "flowSequenceItemList": [{
            "__type": "Task", "id": "T", "name": "T\udfff", "startAction": "A", "actionList": [{
                "__type": "SetAttributesAction", "id": "A", "name": "Set \ud800", "variables": [{
                    "variable": {"text": "\ud800", "config": {"lit": {"text": "\ud800"}},
                                 "uiMetaData": {"mode": 1}},
                    "expression": {"text": "Flow.\udc80", "config": {}, "uiMetaData": {"mode": 0}}}]}]}],
    }).encode(), linted),
    Case("json-deep-below-limits", f"{HOSTILE}.json", _deep_json(900).encode(), linted),
    # -- YAML features and misuse
    Case("python-tags", f"{HOSTILE}.yaml", flow_with(
        "- disconnect: !!python/object/apply:os.system ['touch pwned']\n"
        "- updateData: !!python/object/new:builtins.print {name: x}\n").encode(), linted),
    Case("duplicate-keys", f"{HOSTILE}.yaml", (flow_with(
        "- disconnect:\n    name: A\n    name: B\n") + "  name: Again\n  tasks: []\n").encode(), linted),
    Case("non-string-keys", f"{HOSTILE}.yaml", flow_with(
        "- ? [a, b]\n  : x\n- 1: 2\n- null: ~\n- {a: 1}: {b: 2}\n- disconnect:\n    ? [k]\n    : v\n"
        "    3: 4\n").encode(), linted),
    Case("anchors-across-flows", f"{HOSTILE}-b.yaml", flow_with("- *shared\n", "B").encode(),
         fl100("found undefined alias"),
         others=((f"{HOSTILE}-a.yaml", flow_with("- &shared disconnect:\n    name: Bye\n", "A").encode()),)),
    Case("alias-reuse", f"{HOSTILE}.yaml", flow_with(
        "- setParticipantData: &set\n    name: S\n    attributes:\n      - attribute:\n          name:\n"
        "            lit: K\n          value:\n            lit: v\n- setParticipantData: *set\n").encode(), linted),
    Case("alias-bomb-small", f"{HOSTILE}.yaml", flow_with(
        "- updateData:\n    name: U\n    statements:\n      lit: *a9\n") .replace(
        "  tasks:", f"  defs:\n{textwrap.indent(_BOMB, '  ')}\n  tasks:").encode(), fl100("alias bomb")),
    Case("recursive-alias", f"{HOSTILE}.yaml", flow_with(
        "- updateData:\n    name: U\n    statements: &loop\n      - lit: *loop\n").encode(),
         fl100("recursive YAML alias")),
    Case("multi-document", f"{HOSTILE}.yaml", (PROBE + "---\n" + PROBE).encode(),
         fl100("expected a single document")),
    Case("empty-flow-body", f"{HOSTILE}.yaml", b"inboundCall:\n", fl100("must be a mapping")),
    Case("flow-body-is-a-list", f"{HOSTILE}.yaml", b"inboundCall: [1, 2]\n", fl100("must be a mapping")),
    Case("empty-yaml", f"{HOSTILE}.yaml", b"", skipped),
    Case("whitespace-yaml", f"{HOSTILE}.yaml", b" \n\t\n\r\n", skipped),
    Case("yaml-nesting-985", f"{HOSTILE}.yaml", flow_with(
        "- disconnect:\n    extra: " + "[" * 985 + "]" * 985 + "\n").encode(), linted),
    Case("nested-actions-195", f"{HOSTILE}.yaml", flow_with("- " + _nested_decisions(195) + "\n").encode(), linted),
    Case("private-use-characters", f"{HOSTILE}.yaml", flow_with(
        "- disconnect:\n    name: \"\ue000\ue100\ue100 {{x}} \ue000\ue100\ue101\ue001\"\n").encode(), linted),
    Case("many-placeholders", f"{HOSTILE}.yaml", flow_with(
        "- disconnect:\n    name: " + "{{p}}" * 20_000 + "\n").encode(), linted),
    Case("deep-expression", f"{HOSTILE}.yaml", flow_with(
        "- updateData:\n    name: U\n    statements:\n      - string:\n          variable: Flow.s\n"
        "          value:\n            exp: " + "(" * 45_000 + "1" + ")" * 45_000 + "\n").encode(),
         has("FL101", "nested too deeply")),
]


# --------------------------------------------------------------------------- running a case

def write(directory: Path, files: Files) -> None:
    for name, content in files.items():
        (directory / name).write_bytes(content)


@pytest.fixture(scope="module")
def good_alone(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    directory = tmp_path_factory.mktemp("good")
    write(directory, {"good.yaml": GOOD.encode()})
    return _good_findings(check_paths([str(directory)]))


def _good_findings(result: CheckResult) -> list[Finding]:
    return [(d.code, d.span, d.message) for d in mine(result, "good.yaml")]


def as_json(findings: list[Finding]) -> list[tuple[str, int | None, int | None, str]]:
    """Findings as ``--format json`` shows them: rule, line, column, message."""
    return [(code, span.line if span else None, span.column if span else None, message)
            for code, span, message in findings]


def check_with_good(directory: Path, files: Files) -> CheckResult:
    write(directory, {"good.yaml": GOOD.encode(), **files})
    return check_paths([str(directory)])


def render_everything(result: CheckResult, base: Path) -> None:
    """Every output format renders, as text a file can hold; JSON and SARIF parse."""
    report = Report(result.diagnostics, result.files_checked, [f.path for f in result.project.files], str(base))
    for output_format in FORMATS:
        rendered = render(output_format, report)
        rendered.encode("utf-8")
        if output_format in ("json", "sarif"):
            json.loads(rendered)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_file_next_to_a_good_flow(case: Case, tmp_path: Path,
                                          good_alone: list[Finding]) -> None:
    assert good_alone, "the good flow must have findings to lose"
    result = check_with_good(tmp_path, {case.name: case.content, **dict(case.others)})
    assert _good_findings(result) == good_alone
    case.expect(result, case.name)
    render_everything(result, tmp_path)


def test_tags_never_run(tmp_path: Path) -> None:
    """Composing never constructs Python objects: a !!python/object tag runs nothing."""
    marker = tmp_path / "pwned"
    text = flow_with(f"- disconnect: !!python/object/apply:os.system ['touch {marker}']\n")
    check_with_good(tmp_path, {f"{HOSTILE}.yaml": text.encode()})
    assert not marker.exists()


def test_all_small_cases_at_once_through_the_command_line(tmp_path: Path,
                                                          good_alone: list[Finding]) -> None:
    """One project holding every small case (each in its own directory), every format."""
    for case in CASES:
        directory = tmp_path / case.id
        directory.mkdir()
        write(directory, {case.name: case.content, **dict(case.others)})
    write(tmp_path, {"good.yaml": GOOD.encode()})
    for output_format in FORMATS:
        done = cli("check", "--no-cache", "--format", output_format, str(tmp_path), timeout=120)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr
        if output_format == "json":
            document = json.loads(done.stdout)
            good = [(d["rule"], d["line"], d["column"], d["message"]) for d in document["diagnostics"]
                    if d["file"].endswith("good.yaml")]
            assert good == as_json(good_alone)
        elif output_format == "sarif":
            json.loads(done.stdout)


# --------------------------------------------------------------------------- the file system

def test_unreadable_file(tmp_path: Path, good_alone: list[Finding],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / f"{HOSTILE}.yaml"
    target.write_text(PROBE)
    target.chmod(0)
    if os.access(target, os.R_OK):  # root reads anything: make the open fail as it would for a user
        real_open = os.open

        def deny(path: str, flags: int, *args: int) -> int:
            if os.path.basename(path) == target.name:
                raise PermissionError(13, "Permission denied", path)
            return real_open(path, flags, *args)

        monkeypatch.setattr(os, "open", deny)
    result = check_with_good(tmp_path, {})
    assert _good_findings(result) == good_alone
    fl100("cannot read file: Permission denied")(result, target.name)


def test_file_deleted_while_linting(tmp_path: Path, good_alone: list[Finding],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Discovered, then gone before it is read."""
    import flowlint.engine

    victim = tmp_path / f"{HOSTILE}.yaml"
    victim.write_text(PROBE)
    real_discover = flowlint.engine.discover_configured

    def discover_then_delete(*args: object, **kwargs: object) -> Iterator[tuple[str, str, object]]:
        found: list[tuple[str, str, object]] = list(real_discover(*args, **kwargs))  # type: ignore[arg-type]
        victim.unlink()
        return iter(found)

    monkeypatch.setattr(flowlint.engine, "discover_configured", discover_then_delete)
    result = check_with_good(tmp_path, {})
    assert _good_findings(result) == good_alone
    fl100("No such file or directory")(result, victim.name)


def _odd_tree(root: Path) -> None:
    """A symlink loop, a symlink cycle between two files, a dangling link, a directory named
    like a flow file (holding a real flow), and a named pipe with a flow extension."""
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / f"{HOSTILE}-a.yaml").symlink_to(root / f"{HOSTILE}-b.yaml")
    (root / f"{HOSTILE}-b.yaml").symlink_to(root / f"{HOSTILE}-a.yaml")
    (root / f"{HOSTILE}-dangling.yaml").symlink_to(root / "missing.yaml")
    flow_dir = root / "flows.i3InboundFlow"
    flow_dir.mkdir()
    (flow_dir / "probe.yaml").write_text(PROBE)
    os.mkfifo(root / f"{HOSTILE}-pipe.yaml")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs symlinks and named pipes (POSIX)")
def test_symlink_loops_directories_named_like_flows_and_pipes(
        tmp_path: Path, good_alone: list[Finding]) -> None:
    _odd_tree(tmp_path)
    result = check_with_good(tmp_path, {})
    assert _good_findings(result) == good_alone
    fl100("Too many levels of symbolic links")(result, f"{HOSTILE}-a.yaml")
    fl100("Too many levels of symbolic links")(result, f"{HOSTILE}-b.yaml")
    fl100("No such file or directory")(result, f"{HOSTILE}-dangling.yaml")
    fl100("not a regular file")(result, f"{HOSTILE}-pipe.yaml")
    like_probe(result, "probe.yaml")  # walked into once, through the real directory only
    assert sum(os.path.basename(f.file.path) == "probe.yaml" for f in result.project.flows) == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
def test_command_line_with_the_cache_never_blocks_on_a_pipe(tmp_path: Path) -> None:
    """The default run (worker processes, on-disk cache) on the same odd tree."""
    project = tmp_path / "project"
    project.mkdir()
    _odd_tree(project)
    write(project, {"good.yaml": GOOD.encode()})
    done = cli("check", "--cache-dir", str(tmp_path / "cache"), str(project), timeout=3)
    assert done.returncode == 1 and "not a regular file" in done.stdout, done.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="file names that are not UTF-8 (Linux)")
def test_file_name_that_is_not_utf8(tmp_path: Path, good_alone: list[Finding]) -> None:
    name = os.fsdecode(b"hostile-\xff.yaml")
    (tmp_path / name).write_bytes(_UTF8_PROBE)
    result = check_with_good(tmp_path, {})
    assert _good_findings(result) == good_alone
    like_probe(result, name)
    for output_format in ("text", "json", "github", "junit"):
        done = cli("check", "--no-cache", "--format", output_format, str(tmp_path))
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="file names that are not UTF-8 (Linux)")
def test_file_name_that_is_not_utf8_in_sarif_and_output_files(tmp_path: Path) -> None:
    (tmp_path / os.fsdecode(b"hostile-\xff.yaml")).write_bytes(_UTF8_PROBE)
    done = cli("check", "--no-cache", "--format", "sarif", str(tmp_path))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    done = cli("check", "--no-cache", "--format", "json", "--output", str(tmp_path / "out.json"), str(tmp_path))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs Unix sockets")
def test_socket_with_a_flow_name(tmp_path: Path, good_alone: list[Finding]) -> None:
    path = tmp_path / f"{HOSTILE}.json"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        result = check_with_good(tmp_path, {})
    finally:
        server.close()
    assert _good_findings(result) == good_alone
    assert stat.S_ISSOCK(os.lstat(path).st_mode)
    fl100("not a regular file")(result, path.name)


# --------------------------------------------------------------------------- long chains

def test_long_call_chains_do_not_recurse(tmp_path: Path, good_alone: list[Finding]) -> None:
    """700 tasks calling tasks and 1,000 common modules calling modules (each link was two
    stack frames, so about 500 raised RecursionError): linted.  Task summaries are quadratic
    in the chain's length, hence 700."""
    tasks = "".join(
        f"    - task:\n        name: T{i}\n        refId: t{i}\n        actions:\n"
        f"          - getParticipantData:\n              name: G{i}\n              attributes:\n"
        f"                - attribute:\n                    name:\n                      lit: Chained\n"
        f"                    variable: Flow.x\n"
        + (f"          - callTask:\n              name: C{i}\n"
           f"              targetTaskRef: /inboundCall/tasks/task[t{i + 1}]\n" if i < 699 else "")
        for i in range(700))
    files = {f"{HOSTILE}-tasks.yaml": ("inboundCall:\n  name: Chain\n  startUpRef: /inboundCall/tasks/task[t0]\n"
                                      "  tasks:\n" + tasks).encode()}
    for i in range(1000):
        body = (f"- callCommonModule:\n    name: Call\n    commonModule:\n      M{i + 1}:\n"
                "        ver_latestPublished:\n") if i < 999 else "- disconnect:\n    name: Bye\n"
        files[f"{HOSTILE}-m{i:04}.yaml"] = flow_with(body, f"M{i}").replace("inboundCall", "commonModule").encode()
    result = check_with_good(tmp_path, files)
    assert _good_findings(result) == good_alone
    assert len([d for d in result.diagnostics if d.code == "FL005" and d.attribute == "Chained"]) == 700
    assert not [d for d in result.diagnostics if d.code == "FL100"]


# --------------------------------------------------------------------------- duplicate flow names

def test_duplicate_flow_names_are_reported_and_deterministic(tmp_path: Path) -> None:
    """Two "Main IVR" flows, one setting an attribute that Support reads: FL105 on the second
    file (path order) naming the first, and the same findings whatever order the paths come in."""
    main_a = flow_with("- setParticipantData:\n    name: S\n    attributes:\n      - attribute:\n"
                       "          name:\n            lit: AccountId\n          value:\n            lit: v\n"
                       "- transferToFlow:\n    name: To support\n    targetFlow:\n      name: Support\n",
                       "Main IVR")
    main_b = flow_with("- transferToFlow:\n    name: To support\n    targetFlow:\n      name: Support\n",
                       "main ivr")
    support = flow_with("- getParticipantData:\n    name: G\n    attributes:\n      - attribute:\n"
                        "          name:\n            lit: accountid\n          variable: Flow.x\n", "Support")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path, {"a/main.yaml": main_a.encode(), "b/main.yaml": main_b.encode(),
                     "support.yaml": support.encode()})
    orders = [[tmp_path / "a", tmp_path / "b", tmp_path / "support.yaml"],
              [tmp_path / "support.yaml", tmp_path / "b", tmp_path / "a"]]
    outputs: list[list[tuple[str, str, object, str]]] = []
    for order in orders:
        result = check_paths([str(p) for p in order])
        outputs.append(sorted((d.code, d.file, d.span, d.message) for d in result.diagnostics))
        [duplicate] = [d for d in result.diagnostics if d.code == "FL105"]
        assert duplicate.file == str(tmp_path / "b" / "main.yaml") and duplicate.span is not None
        assert duplicate.span.line == 2
        assert f"{tmp_path / 'a' / 'main.yaml'}:2" in duplicate.message
        assert [r.file for r in duplicate.related] == [str(tmp_path / "a" / "main.yaml")]
    assert outputs[0] == outputs[1]
    for seed in ("1", "2"):  # and whatever the string hashing of the process
        done = cli("check", "--no-cache", "--format", "json", str(tmp_path), env={"PYTHONHASHSEED": seed})
        outputs.append([(d["rule"], d["file"], d["line"], d["message"]) for d in json.loads(done.stdout)["diagnostics"]])
    assert outputs[2] == outputs[3]


# --------------------------------------------------------------------------- big and dangerous, in a subprocess

ROOT = Path(__file__).resolve().parents[1]

#: Runs the command line and records its wall time and peak memory (itself and its workers).
RUNNER = r"""
import json, resource, sys, time
stats = sys.argv.pop(1)
start = time.perf_counter()
code = 0
try:
    from flowlint.cli import main
    main(sys.argv[1:], prog_name="flowlint")
except SystemExit as done:
    code = done.code if isinstance(done.code, int) else 1
finally:
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    with open(stats, "w") as handle:
        json.dump({"seconds": time.perf_counter() - start, "peak_mb": peak / 1024}, handle)
sys.exit(code)
"""


def cli(*args: str, timeout: float = 60, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowlint.cli", *args], capture_output=True, text=True,
                          errors="replace", cwd=ROOT, timeout=timeout, check=False, env={**os.environ, **(env or {})})


def _big_flow(size: int) -> bytes:
    """A realistic Archy YAML flow of about ``size`` bytes: tasks that set, get and jump on."""
    task = ("    - task:\n        name: Task {i}\n        refId: t{i}\n        actions:\n"
            "          - setParticipantData:\n              name: Remember {i}\n              attributes:\n"
            "                - attribute:\n                    name:\n                      lit: Attr{k}\n"
            "                    value:\n                      exp: Append(\"x\", Right(Call.Ani, {i}))\n"
            "          - getParticipantData:\n              name: Read {i}\n              attributes:\n"
            "                - attribute:\n                    name:\n                      lit: Attr{k}\n"
            "                    variable: Flow.v\n"
            "          - jumpToTask:\n              name: Next {i}\n"
            "              targetTaskRef: /inboundCall/tasks/task[t{j}]\n")
    parts = ["inboundCall:\n  name: Big\n  startUpRef: /inboundCall/tasks/task[t0]\n  variables:\n"
             "    - stringVariable:\n        name: Flow.v\n  tasks:\n"]
    total, i = len(parts[0]), 0
    while total < size:
        parts.append(task.format(i=i, j=i + 1, k=i % 40))
        total += len(parts[-1])
        i += 1
    parts.append(task.format(i=i, j=0, k=0))
    return "".join(parts).encode()


def _distinct_sets(count: int) -> bytes:
    """One task setting ``count`` different attributes in a row: ``count`` must-set states of
    up to ``count`` members each (gigabytes as sets of strings, 50 MB as bit sets)."""
    return flow_with("".join(f"- setParticipantData:\n    name: S{i}\n    attributes:\n      - attribute:\n"
                             f"          name:\n            lit: Attr{i}\n          value:\n            lit: v\n"
                             for i in range(count)) + "- disconnect:\n    name: Done\n").encode()


def _nested_block(depth: int) -> bytes:
    return ("inboundCall:\n  name: Deep\n  tasks:\n    " + "- " * depth + "x\n").encode()


def _expression_flow(expression: str) -> bytes:
    return flow_with("- updateData:\n    name: U\n    statements:\n      - string:\n          variable: Flow.s\n"
                     "          value:\n            exp: " + expression + "\n").encode()


@dataclass(frozen=True)
class BigCase:
    id: str
    name: str
    make: Callable[[], bytes]
    #: (code, message fragment) expected for the hostile file; code None: no FL100 or FL101.
    code: str | None
    fragment: str = ""
    #: Flow files the run counts: the good one and the hostile one, unless that is no flow.
    files: int = 2
    #: A bound on peak memory (MB) that an implementation gone quadratic would cross.
    max_mb: float | None = None


BIG_CASES = [
    BigCase("baseline: the good flow alone", "", lambda: b"", None, files=1),
    BigCase("yaml-alias-bomb-9x9", f"{HOSTILE}.yaml", lambda: flow_with(
        "- updateData:\n    name: U\n    statements:\n      lit: *a9\n").replace(
        "  tasks:", f"  defs:\n{textwrap.indent(_BOMB, '  ')}\n  tasks:").encode(), "FL100", "alias bomb"),
    BigCase("yaml-alias-chain-5000", f"{HOSTILE}.yaml", lambda: flow_with("- disconnect:\n    name: x\n").replace(
        "  tasks:", "  defs:\n    a0: &a0 x\n" + "".join(f"    a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 5000))
        + "  tasks:").encode(), "FL100", "YAML aliases"),
    BigCase("yaml-nesting-100k-flow-seq", f"{HOSTILE}.yaml", lambda: (
        "inboundCall:\n  name: Deep\n  tasks: " + "[" * 100_000 + "]" * 100_000 + "\n").encode(),
        "FL100", "exceeded maximum nesting depth"),
    BigCase("yaml-nesting-100k-flow-map", f"{HOSTILE}.yaml", lambda: (
        "inboundCall:\n  name: Deep\n  tasks: " + "{a: " * 100_000 + "b" + "}" * 100_000 + "\n").encode(),
        "FL100", "exceeded maximum nesting depth"),
    BigCase("yaml-nesting-100k-block-seq", f"{HOSTILE}.yaml", lambda: _nested_block(100_000),
            "FL100", "exceeded maximum nesting depth"),
    BigCase("json-nesting-100k", f"{HOSTILE}.json", lambda: _deep_json(100_000).encode(),
            "FL100", "nested too deeply"),
    BigCase("export-json-nesting-100k", f"{HOSTILE}.i3InboundFlow",
            lambda: base64.b64encode(_deep_json(100_000).encode()), "FL100", "nested too deeply"),
    BigCase("expression-nesting-100k", f"{HOSTILE}.yaml",
            lambda: _expression_flow("(" * 100_000 + "1" + ")" * 100_000), "FL101", "too long"),
    BigCase("expression-5mb", f"{HOSTILE}.yaml",
            lambda: _expression_flow("Append(" + ", ".join(['"abc"'] * 700_000) + ")"), "FL101", "too long"),
    BigCase("flow-file-50mb", f"{HOSTILE}.yaml", lambda: _big_flow(50 * 2**20), "FL100", "too large"),
    BigCase("export-50mb", f"{HOSTILE}.i3InboundFlow", lambda: b"QUJD" * (50 * 2**18), "FL100", "too large"),
    BigCase("non-flow-json-50mb", f"{HOSTILE}.json", lambda: b'{"lock": "' + b"x" * (50 * 2**20) + b'"}', None,
            files=1),
    BigCase("flow-file-5mb", f"{HOSTILE}.yaml", lambda: _big_flow(5 * 2**20), None),
    BigCase("20000-distinct-sets-in-a-row", f"{HOSTILE}.yaml", lambda: _distinct_sets(20_000), None, max_mb=1000),
]

#: (case, outcome, seconds, peak MB), printed at the end of the module.
MEASURED: list[tuple[str, str, float, float]] = []


@pytest.fixture(scope="module", autouse=True)
def print_measurements() -> Iterator[None]:
    yield
    if MEASURED:
        print("\n| case | outcome | time (s) | peak memory (MB) |\n|---|---|---|---|")
        for row in MEASURED:
            print(f"| {row[0]} | {row[1]} | {row[2]:.2f} | {row[3]:.0f} |")


@pytest.mark.parametrize("case", BIG_CASES, ids=[c.id for c in BIG_CASES])
def test_big_and_dangerous_inputs_in_a_subprocess(case: BigCase, tmp_path: Path,
                                                  good_alone: list[Finding]) -> None:
    project = tmp_path / "project"
    project.mkdir()
    write(project, {"good.yaml": GOOD.encode(), **({case.name: case.make()} if case.name else {})})
    stats = tmp_path / "stats.json"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUNNER, str(stats), "check", "--no-cache", "--format", "json",
                           str(project)], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    elapsed = time.perf_counter() - started
    assert done.returncode == 1, f"exit {done.returncode} after {elapsed:.1f} s: {done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr[-2000:]
    measured = json.loads(stats.read_text())
    report = json.loads(done.stdout)
    assert report["summary"]["files"] == case.files
    diagnostics = report["diagnostics"]
    good = [(d["rule"], d["line"], d["column"], d["message"]) for d in diagnostics if d["file"].endswith("good.yaml")]
    assert good == as_json(good_alone)
    found = [(d["rule"], d["message"]) for d in diagnostics if case.name and d["file"].endswith(case.name)]
    if case.code is None:
        assert not [f for f in found if f[0] in ("FL100", "FL101")], found
        outcome = f"linted, {len(found)} findings" if case.files == 2 else "skipped: not a flow" if case.name else "-"
    else:
        assert any(code == case.code and case.fragment in message for code, message in found), found
        outcome = f"{case.code}: " + next(m for c, m in found if c == case.code)[:70]
    if case.max_mb is not None:
        assert measured["peak_mb"] < case.max_mb, measured
    MEASURED.append((case.id, outcome, measured["seconds"], measured["peak_mb"]))
    print(f"\n{case.id}: {outcome}; {measured['seconds']:.2f} s, peak {measured['peak_mb']:.0f} MB")


def test_runner_measures_a_plain_run(tmp_path: Path) -> None:
    """The measurement harness itself: a clean flow, exit 0, numbers that make sense."""
    shutil.copy(ROOT / "examples" / "flows" / "support.yaml", tmp_path / "support.yaml")
    stats = tmp_path / "stats.json"
    done = subprocess.run([sys.executable, "-c", RUNNER, str(stats), "check", "--no-cache", "--exit-zero",
                           str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    measured = json.loads(stats.read_text())
    assert 0 < measured["seconds"] < 60 and 10 < measured["peak_mb"] < 4096


# --------------------------------------------------------------------------- nothing written

def snapshot(root: Path) -> dict[str, tuple[str, int, int, str]]:
    """Every entry below ``root``: kind, size, mtime (ns) and content hash or link target."""
    import hashlib

    found: dict[str, tuple[str, int, int, str]] = {}
    for directory, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = os.path.join(directory, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                entry = ("link", 0, info.st_mtime_ns, os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                entry = ("dir", 0, info.st_mtime_ns, "")
            else:
                entry = ("file", info.st_size, info.st_mtime_ns, hashlib.sha256(Path(path).read_bytes()).hexdigest())
            found[os.path.relpath(path, root)] = entry
    return found


def test_nothing_is_written_but_the_cache_and_named_outputs(tmp_path: Path, corpus: Path) -> None:
    """Runs of every kind on a copy of examples/ and the corpus (plus broken files) leave the
    tree as it was, except the cache directory and the files named by --output and
    --write-baseline; nothing is written to HOME or TMPDIR either."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "examples", project / "examples")
    shutil.copytree(corpus, project / "corpus")
    for case in CASES[:12]:
        (project / "broken" / case.id).mkdir(parents=True)
        write(project / "broken" / case.id, {case.name: case.content})
    (project / ".flowlint.toml").write_text('external-attributes = ["CallbackNumber"]\n')
    # Terraform too: parsing HCL must not write a grammar cache to TMPDIR either.
    (project / "deploy.tf").write_text('resource "genesyscloud_flow" "support" {\n'
                                       '  filepath = "${path.module}/examples/flows/support.yaml"\n}\n')
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    env = {"HOME": str(home), "TMPDIR": str(temp), "XDG_CACHE_HOME": str(home / ".cache")}
    before = snapshot(project)
    runs = [
        (["check", "."], 1),
        (["check", "."], 1),  # warm: from the cache
        (["check", "--jobs", "2", "--format", "sarif", "--output", "report.sarif", "."], 1),
        (["check", "--write-baseline", "baseline.json", "."], 0),
        (["check", "--baseline", "baseline.json", "--format", "json", "."], 0),
        (["check", "--no-cache", "--project", "examples/flows/support.yaml"], 1),
        (["rules"], 0),
        (["explain", "FL105"], 0),
        (["expr", "Append(Flow.x, 1"], 1),
    ]
    for args, expected in runs:
        done = subprocess.run([sys.executable, "-m", "flowlint.cli", *args], capture_output=True, text=True,
                              cwd=project, timeout=120, check=False, env={**os.environ, **env})
        assert done.returncode == expected, (args, done.returncode, done.stderr[-2000:])
        assert "Traceback" not in done.stderr, done.stderr
    after = snapshot(project)
    added = sorted(set(after) - set(before))
    assert {path for path in added if not path.startswith(".flowlint_cache")} == {"report.sarif", "baseline.json"}
    assert any(path.startswith(".flowlint_cache") for path in added)
    assert not set(before) - set(after), "files disappeared"
    changed = sorted(path for path in before if before[path] != after[path] and path != ".")
    assert changed == [], changed
    assert not any(home.iterdir()) and not any(temp.iterdir())
