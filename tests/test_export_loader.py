"""Architect export files: decoding, the real corpus, hand-counted kinds, golden dump, broken inputs."""

from __future__ import annotations

import base64
import collections
import json
import os
import random
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

import pytest

from flowlint.ir import ActionKind, SourceFormat
from flowlint.ir_dump import dump_flow
from flowlint.loaders.export import decode_export, load_export_bytes, percent_decode
from flowlint.loaders.result import LoadResult

GOLDEN = Path(__file__).resolve().parent / "golden"


def encode(text: str) -> bytes:
    """Encode like Architect: percent-encode (encodeURIComponent-style), then base64."""
    return base64.b64encode(quote(text, safe="-_.!~*'()").encode("ascii"))


def corpus_file(corpus: Path, name: str) -> Path:
    matches = list(corpus.glob(f"*/{name}"))
    assert len(matches) == 1, name
    return matches[0]


def load_path(path: Path) -> LoadResult:
    return load_export_bytes(str(path), path.read_bytes())


# -- the corpus ------------------------------------------------------------------------------------

def test_every_corpus_export_loads_without_fl100(corpus: Path) -> None:
    files = sorted(corpus.glob("*/*.i3*"))
    assert len(files) >= 40
    for file in files:
        result = load_path(file)
        assert result.diagnostics == [], file
        [flow] = result.flows
        assert flow.file.format is SourceFormat.EXPORT
        assert flow.name and flow.containers and flow.entry_action is not None, file
        assert all(r.resolved is not None for r in flow.references), file
        for action in flow.actions:
            assert all(e.target is None or 0 <= e.target < len(flow.actions) for e in action.succ)
            assert action.loc.span is None and action.loc.pointer is not None


# Counted from the decoded JSON documents (``__type`` of each actionList entry), not from the loader.
HAND_COUNTED = {
    "files__Trigger_proactive callback workflow_v1-0.i3InboundFlow": {
        ActionKind.CALL_DATA_ACTION: 1, ActionKind.OTHER: 1,  # PlayAudioAction
        ActionKind.GET_PARTICIPANT_DATA: 1, ActionKind.DISCONNECT: 1,
    },
    "files__Proactive_callback_v1-0.i3WorkFlow": {
        ActionKind.END_FLOW: 4, ActionKind.DECISION: 2, ActionKind.OTHER: 1,  # WaitAction
        ActionKind.CALL_DATA_ACTION: 3,
    },
    "files__Proactive_callbacks_v1-0.i3InQueueFlow": {
        ActionKind.OTHER: 3,  # PlayAudioAction, HoldMusicAction, CollectInputAction
        ActionKind.DISCONNECT: 1, ActionKind.CALL_DATA_ACTION: 1, ActionKind.UPDATE_DATA: 3,
        ActionKind.DECISION: 1, ActionKind.SET_PARTICIPANT_DATA: 1, ActionKind.TRANSFER_TO_FLOW: 1,
    },
}


@pytest.mark.parametrize("name", sorted(HAND_COUNTED))
def test_hand_counted_action_kinds(corpus: Path, name: str) -> None:
    [flow] = load_path(corpus_file(corpus, name)).flows
    assert dict(collections.Counter(a.kind for a in flow.actions)) == HAND_COUNTED[name]


def test_participant_data_in_the_callback_blueprint(corpus: Path) -> None:
    [reader] = load_path(corpus_file(corpus, "files__Trigger_proactive callback workflow_v1-0.i3InboundFlow")).flows
    [get] = [a for a in reader.actions if a.kind is ActionKind.GET_PARTICIPANT_DATA]
    [attribute] = get.attributes
    assert attribute.literal_name == "delay"
    assert attribute.variable is not None and attribute.variable.text == "Task.delay"
    assert attribute.name.loc.logical == ('task "Put callback in proactive callback work bin" > action "Get delay" > '
                                          "variables[0].variable")

    [writer] = load_path(corpus_file(corpus, "files__Proactive_callbacks_v1-0.i3InQueueFlow")).flows
    [set_] = [a for a in writer.actions if a.kind is ActionKind.SET_PARTICIPANT_DATA]
    [attribute] = set_.attributes
    assert attribute.literal_name == "delay"
    assert attribute.value is not None and attribute.value.text == "ToString(ToInt(Task.intSeconds/60))"
    [transfer] = [a for a in writer.actions if a.kind is ActionKind.TRANSFER_TO_FLOW]
    assert transfer.target is not None and transfer.target.text == reader.name


@pytest.mark.parametrize(("name", "golden_name"), [
    ("components__Call Deflection to Facebook Messenger.i3InboundFlow", "export_call_deflection.txt"),
    ("files__Proactive_callbacks_v1-0.i3InQueueFlow", "export_proactive_callbacks_inqueue.txt"),
])
def test_golden_dump(corpus: Path, name: str, golden_name: str) -> None:
    """FLOWLINT_UPDATE_GOLDEN=1 rewrites the golden files."""
    [flow] = load_path(corpus_file(corpus, name)).flows
    golden = GOLDEN / golden_name
    dumped = dump_flow(flow)
    if os.environ.get("FLOWLINT_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(dumped, encoding="utf-8")
    assert dumped == golden.read_text(encoding="utf-8")


# -- decoding ---------------------------------------------------------------------------------------

def test_percent_decode_matches_the_stdlib(corpus: Path) -> None:
    samples = [b"", b"abc", b"%41%4a%4A", b"%zz%", b"a%2", b"%%41", b"%25%34%31", b"x %0A y", b"%C3%A9_+",
               b"=%41", b"%\n41", b"a\r\n%41", b"\x00\xff%41", b"%7e%7E", b"%3D%3d="]
    samples += [base64.b64decode(p.read_bytes()) for p in sorted(corpus.glob("*/*.i3*"))[:10]]
    for sample in samples:
        assert percent_decode(sample) == unquote_to_bytes(sample), sample


def test_line_wrapped_and_padded_base64_is_accepted(corpus: Path) -> None:
    file = corpus_file(corpus, "files__Proactive_callback_v1-0.i3WorkFlow")
    data = file.read_bytes()
    wrapped = b"\n  " + b"\r\n".join(data[i:i + 76] for i in range(0, len(data), 76)) + b"\n\n"
    assert dump_flow(load_export_bytes(str(file), wrapped).flows[0]) == dump_flow(load_path(file).flows[0])


def test_unicode_and_plain_json_payloads() -> None:
    text = json.dumps({"name": "Ünïcode ✓", "type": "inboundcall", "flowSequenceItemList": []}, ensure_ascii=False)
    [flow] = load_export_bytes("a.i3InboundFlow", encode(text)).flows
    assert flow.name == "Ünïcode ✓"
    # Not percent-encoded at all: accepted as is.
    [flow] = load_export_bytes("b.i3InboundFlow", base64.b64encode(text.encode("utf-8"))).flows
    assert flow.name == "Ünïcode ✓"
    assert decode_export(encode(text)) == (text, "")


def test_flow_type_falls_back_to_the_extension() -> None:
    [flow] = load_export_bytes("x/Q_v1-0.i3InQueueFlow", encode('{"flowSequenceItemList": []}')).flows
    assert (flow.type, flow.name) == ("inqueuecall", "Q_v1-0")


# -- broken inputs ----------------------------------------------------------------------------------

def _real_export(corpus: Path) -> bytes:
    return corpus_file(corpus, "files__Proactive_callback_v1-0.i3WorkFlow").read_bytes()


def _single_fl100(data: bytes, path: str = "broken.i3InboundFlow") -> str:
    result = load_export_bytes(path, data)
    assert result.flows == [] and not result.not_a_flow
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.severity.value, diagnostic.file) == ("FL100", "error", path)
    assert diagnostic.span is None
    return diagnostic.message


@pytest.mark.parametrize(("data", "fragment"), [
    (b"", "the file is empty"),
    (b"  \n", "the file is empty"),
    (b"this is not base64!", "not valid base64"),
    (b"QUJD RA", "not valid base64"),  # 6 data characters: bad padding
    (base64.b64encode(b"%FF%FE%00"), "not UTF-8"),
    (base64.b64encode(b"\xc3\x28"), "not UTF-8"),
    (encode('{"name": "x", "flowSequenceItemList": [}'), "decoded text is not valid JSON: Expecting value at "
                                                         "line 1 column 40 of the decoded document"),
    (encode('{"a":\n  1,\n  }'), "at line 3 column 3 of the decoded document"),
    (encode("[1, 2]"), "decoded JSON is not a flow document (no flowSequenceItemList)"),
    (encode('{"name": "x"}'), "decoded JSON is not a flow document (no flowSequenceItemList)"),
    (encode('{"flowSequenceItemList": {"a": 1}}'), "/flowSequenceItemList is not a list"),
    (encode("[" * 100_000), "decoded text is not valid JSON"),
], ids=["empty", "blank", "not-base64", "bad-padding", "percent-not-utf8", "not-utf8", "bad-json",
        "bad-json-multiline", "json-list", "no-item-list", "item-list-not-list", "too-deep"])
def test_broken_inputs_give_one_fl100(data: bytes, fragment: str) -> None:
    assert fragment in _single_fl100(data)


def test_truncated_exports(corpus: Path) -> None:
    data = _real_export(corpus)
    assert "not valid base64" in _single_fl100(data[: len(data) // 2 - 1])  # mid-quantum cut
    assert "decoded text is not valid JSON" in _single_fl100(data[: (len(data) // 8) * 4])  # clean cut


def test_binary_garbage_never_raises() -> None:
    rng = random.Random(7)
    for size in (1, 3, 4, 100, 4096):
        for _ in range(20):
            result = load_export_bytes("garbage.i3InboundFlow", rng.randbytes(size))
            assert len(result.diagnostics) == 1 and result.diagnostics[0].code == "FL100"
    # Valid base64 of random bytes: fails at the UTF-8 or JSON step, never with an exception.
    for _ in range(50):
        result = load_export_bytes("garbage.i3InboundFlow", base64.b64encode(rng.randbytes(300)))
        assert len(result.diagnostics) == 1 and result.diagnostics[0].code == "FL100"
