"""``--format full``: code frames under each finding (golden files with non-ASCII, wide and
combining characters, tabs, CRLF, an export and related locations); ``concise`` and ``text``
are today's one-line form; the default follows the terminal; no frame shows a secured value
or a line of a Terraform file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowlint.cli import main
from flowlint.ir import Span
from flowlint.reporters.frames import draw, frame

from .test_reporters import SECRET, SECRET_FLOWS, check_golden, run
from .helpers import write_project

GET = """\
inboundCall:
  name: Support
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Démarrage 開始
        refId: t
        actions:
          - getParticipantData:
              name: Lire le compte\u0301 账户
              attributes:
                - attribute:
                    name:
                      lit: {name}
                    variable: Task.account
          - disconnect:
              name: Done
"""
SET = GET.replace("Support", "Main IVR").replace("getParticipantData", "setParticipantData").replace(
    "variable: Task.account", "value:\n                      lit: x").replace(
    "          - disconnect:\n              name: Done\n",
    "          - transferToFlow:\n              name: To support\n              targetFlow:\n                name: Support\n")


def _full(root: Path, *args: str) -> str:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["check", "--no-cache", "--format", "full", *args, "."])
    finally:
        os.chdir(cwd)
    assert result.exit_code in (0, 1), result.output
    return result.output


def test_frames_golden_non_ascii_and_related(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text(SET.format(name="AccountId"), encoding="utf-8")
    # A tab inside a quoted scalar before the span, wide and combining characters on other lines.
    (tmp_path / "support.yaml").write_bytes(GET.format(name='"accountId"').replace("\n", "\r\n").encode("utf-8"))
    (tmp_path / "wide.yaml").write_text(GET.replace("Support", "Wide").format(name='"账户\taccount"'), encoding="utf-8")
    (tmp_path / "bot.yaml").write_text(GET.replace("Support", "Other").format(name="'\t'"), encoding="utf-8")
    check_golden("frames_non_ascii.txt", _full(tmp_path))


def test_frames_golden_export_shows_its_logical_location(tmp_path: Path) -> None:
    from .test_flow_json_loader import lit
    from .test_rules_json import export_text, main_ivr, set_attr

    (tmp_path / "main.i3InboundFlow").write_text(export_text(main_ivr(set_attr("A1", " ", lit("x")))),
                                                 encoding="utf-8")
    output = _full(tmp_path)
    assert "| " not in output.split("Found")[0]  # no frame: an export has no lines
    check_golden("frames_export.txt", output)


def test_draw_counts_cells() -> None:
    assert draw("a\tb", 2, 3) == ("a   b", 4, 5)
    assert draw("账户x", 2, 3) == ("账户x", 4, 5)
    assert draw("e\u0301x", 2, 3) == ("e\u0301x", 1, 2)
    assert draw("a\x1b[31mb", 0, 1)[0] == "a\ufffd[31mb"  # no terminal escape from a file


def test_frame_of_a_long_line_is_a_window_and_multi_line_spans_are_cut() -> None:
    line = "x" * 500 + "HERE" + "y" * 500
    ((number, drawn, underline),) = list(frame([line], Span(1, 501, 1, 505)))
    assert number == 1 and len(drawn) <= 170 and drawn[len(underline) - 4:len(underline)] == "HERE"
    rows = list(frame([f"l{i}" for i in range(10)], Span(2, 1, 9, 3)))
    assert [r[0] for r in rows] == [2, 3, 4, None, 9]


def test_concise_and_text_are_the_one_line_form_and_the_default_when_piped() -> None:
    concise = run("check", "--format", "concise", "examples/").stdout
    assert run("check", "--format", "text", "examples/").stdout == concise
    assert run("check", "examples/").stdout == concise  # not a terminal
    assert "   | " not in concise


def test_full_is_the_default_on_a_terminal(tmp_path: Path) -> None:
    pytest.importorskip("pty")
    import pty
    import subprocess
    import sys

    (tmp_path / "main.yaml").write_text(SET.format(name="AccountId"), encoding="utf-8")
    (tmp_path / "support.yaml").write_text(GET.format(name="accountId"), encoding="utf-8")
    primary, secondary = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1"}
    process = subprocess.run([sys.executable, "-m", "flowlint.cli", "check", "--no-cache", "."], cwd=tmp_path,
                             stdout=secondary, stderr=subprocess.PIPE, env=env, check=False)
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(primary)
    assert process.returncode == 1
    assert b"lit: accountId" in output and b"^^^^^^^^^" in output


def test_full_never_shows_a_secured_value_nor_terraform_lines(tmp_path: Path) -> None:
    write_project(tmp_path, SECRET_FLOWS)
    (tmp_path / "main.tf").write_text(
        'resource "genesyscloud_flow" "ivr" {\n  filepath = "ivr.yaml"\n'
        '  substitutions = { client_secret = "tf-S3CR3T-value" }\n}\n', encoding="utf-8")
    output = _full(tmp_path)
    assert "FL003" in output and "| " in output
    assert SECRET not in output and "tf-S3CR3T-value" not in output


def test_a_cached_re_check_masks_secured_values_too(tmp_path: Path) -> None:
    """A re-check from the cache loads only the files around the edit; the files writing
    secured data are loaded for reporting all the same, so that their frames stay masked
    (they were not, before the incremental engine: the warm path printed the literal)."""
    secret = "tok-S3CR3T-9"
    write_project(tmp_path, {
        "secure.yaml": SECURE_SET.format(secret=secret),
        "other.yaml": GET.replace("Support", "Other"),
    })
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        outputs: list[str] = []
        for step in range(2):
            if step:
                other = tmp_path / "other.yaml"
                other.write_text("# edited\n" + other.read_text(encoding="utf-8"), encoding="utf-8")
            result = CliRunner().invoke(main, ["check", "--cache-dir", str(tmp_path / "cache"), "--format", "full", "."])
            assert result.exit_code == 1, result.output
            outputs.append(result.output)
    finally:
        os.chdir(cwd)
    for output in outputs:
        assert "FL002" in output and "{lit: ****" in output and secret not in output


SECURE_SET = """\
inboundCall:
  name: Secure
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: T
        refId: t
        actions:
          - setSecuredData:
              name: Keep token
              attributes:
                - attribute: {{name: {{lit: " "}}, value: {{lit: {secret}}}}}
          - disconnect:
              name: Bye
"""
