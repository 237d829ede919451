"""Language-server latency: didChange -> publishDiagnostics, in realistic generated workspaces.

The workspace is a ``bench/generate.py`` project (flows of about 15 KB recombined from the
corpus: Zipf-distributed attribute names shared across flows, transfers, module and bot
calls, exports).  The benchmark picks a YAML flow F with a Set of an attribute that other
flows read, the least shared such attribute (no module or secured-data flow among them),
opens F and measures:

* **rename**: edits renaming that Set's attribute to other letter case and back: each raises
  or clears FL001 in a flow G that reads it, which is not open; latency is from the didChange
  to the publishDiagnostics of G that shows the change;
* **value-only**: edits nobody else can see (a comment line appended, then removed): the
  server publishes nothing, so latency is from the didChange to the server's log line that
  the analysis is done (``logTimings``);
* **bursts**: five keystrokes 30 ms apart, the last one the rename; timed from the last
  keystroke to the end of the analysis that includes it (so the debounce delay is in);
* **widely set**: renaming the attribute the most flows set (to the end of the analysis:
  with other Sets of it left, nothing new may be published);
* **module caller** and **module**: the rename, in a flow that calls a common module (the
  taint analysis walks it: kept whole), to the publication of the flow reading it; and in a
  common module (its callers and the flows after them are re-checked), to the end of the
  analysis;
* the time to index the workspace, and the server's peak memory (VmHWM of its process).

Targets (issue 15): rename median < 100 ms and p95 < 200 ms at 5,000 flows; value-only
< 30 ms; indexing 5,000 flows < 10 s; server memory < 1 GB.

Usage: python bench/bench_lsp.py [--flows 500 5000] [--edits 30] [--debounce-ms 50]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from flowlint.ir import Flow

ROOT = Path(__file__).resolve().parents[1]
DEBUG = False


@dataclass
class Target:
    edited: Path
    watched: Path
    attribute: str
    text: str
    #: The most widely set attribute name and a YAML flow setting it exactly once.
    popular: tuple[Path, str, str] | None = None
    #: The same kind of rename in a flow calling a common module (edited, watched, name, text).
    caller: tuple[Path, Path, str, str] | None = None
    #: A common module with a Set: (module, attribute, text).
    module: tuple[Path, str, str] | None = None


def pick(root: Path) -> Target:
    """A YAML flow with a Set whose attribute few other flows read: the common case of an
    edit (a rename of the most shared attribute re-checks a large part of any organisation)."""
    from flowlint.config import Config
    from flowlint.engine import check_paths
    from flowlint.pipeline.units import needs_whole_flow

    result = check_paths([str(root)], Config(), suppress=False)
    sets: dict[str, set[str]] = {}
    gets: dict[str, set[str]] = {}
    whole = {flow.file.path for flow in result.project.flows if needs_whole_flow(flow)}
    for flow in result.project.flows:
        for action, attribute in flow.iter_attributes():
            name = attribute.name.literal
            if name is None or flow.file.path in whole or "{{" in name:
                continue
            (gets if action.kind.value.startswith("get") else sets).setdefault(name, set()).add(flow.file.path)
    candidates = sorted((len(sets[name]) + len(gets[name]), name) for name in sets if name in gets
                        and all(p.endswith(".yaml") for p in sets[name]) and gets[name] - sets[name]
                        and not (sets[name] | gets[name]) & whole)
    popular: tuple[Path, str, str] | None = None
    for name in sorted(sets, key=lambda n: (-len(sets[n]), n)):
        for path in sorted(p for p in sets[name] if p.endswith(".yaml") and p not in whole):
            text = Path(path).read_text(encoding="utf-8")
            if text.count(f"lit: {name}\n") == 1:
                popular = (Path(path), name, text)
                break
        if popular is not None:
            break
    caller, module = _kept_whole(result.project.flows, whole, {d.file for d in result.diagnostics if d.code == "FL001"})
    for _, name in candidates:
        edited = Path(sorted(sets[name])[0])
        text = edited.read_text(encoding="utf-8")
        if text.count(f"lit: {name}\n") == 1:
            watched = Path(sorted(gets[name] - sets[name])[0])
            return Target(edited, watched, name, text, popular, caller, module)
    raise SystemExit("no suitable flow in the generated workspace")


def _kept_whole(flows: list[Flow], whole: set[str], with_fl001: set[str]) -> tuple[
        tuple[Path, Path, str, str] | None, tuple[Path, str, str] | None]:
    """A YAML flow calling a module with a Set whose attribute (in any letter case) no other
    flow sets and the fewest plain flows read (none with an FL001 already), and a YAML common
    module with a Set."""
    sets: dict[str, set[str]] = {}
    gets: dict[str, set[str]] = {}
    folded: dict[str, set[str]] = {}
    modules: set[str] = set()
    for flow in flows:
        if flow.type == "commonmodule":
            modules.add(flow.file.path)
        for action, attribute in flow.iter_attributes():
            name = attribute.name.literal
            if name is not None and "{{" not in name:
                (gets if action.kind.value.startswith("get") else sets).setdefault(name, set()).add(flow.file.path)
                if not action.kind.value.startswith("get"):
                    folded.setdefault(name.casefold(), set()).add(flow.file.path)
    caller: tuple[Path, Path, str, str] | None = None
    for _, name in sorted((len(gets.get(n, ())), n) for n in sets):
        setters = folded[name.casefold()]
        readers = gets.get(name, set()) - whole - with_fl001
        (path,) = setters if len(setters) == 1 else ("",)
        if path in whole and path not in modules and path.endswith(".yaml") and readers:
            text = Path(path).read_text(encoding="utf-8")
            if text.count(f"lit: {name}\n") == 1:
                caller = (Path(path), Path(sorted(readers)[0]), name, text)
                break
    module: tuple[Path, str, str] | None = None
    for name in sorted(sets):
        for path in sorted(p for p in sets[name] & modules if p.endswith(".yaml")):
            text = Path(path).read_text(encoding="utf-8")
            if text.count(f"lit: {name}\n") == 1:
                module = (Path(path), name, text)
                break
        if module is not None:
            break
    return caller, module


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("bench-lsp", "1")  # pyright: ignore[reportUnknownMemberType]
        self.published: asyncio.Queue[tuple[float, types.PublishDiagnosticsParams]] = asyncio.Queue()
        self.analysed: asyncio.Queue[float] = asyncio.Queue()
        self.logs: list[str] = []
        self.indexed = asyncio.Event()


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(count: int, edits: int, debounce_ms: int) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(count), "--out", str(root)],
                       check=True, capture_output=True)
        target = pick(root)
        client = Client()

        def on_publish(params: types.PublishDiagnosticsParams) -> None:
            client.published.put_nowait((time.perf_counter(), params))

        def on_log(params: types.LogMessageParams) -> None:
            client.logs.append(params.message)
            if "indexed" in params.message:
                client.indexed.set()
            if _ANALYSIS.search(params.message):
                client.analysed.put_nowait(time.perf_counter())

        feature = cast(Callable[[str], Callable[[Callable[..., None]], object]], client.feature)
        feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(on_publish)
        feature(types.WINDOW_LOG_MESSAGE)(on_log)

        await client.start_io(sys.executable, "-m", "flowlint.lsp")  # pyright: ignore[reportUnknownMemberType]
        server = cast(asyncio.subprocess.Process, getattr(client, "_server"))
        started = time.perf_counter()
        await client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=root.as_uri(),
            initialization_options={"flowlint": {"debounceMs": debounce_ms, "logTimings": True}},
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="bench")]))
        client.initialized(types.InitializedParams())
        await asyncio.wait_for(client.indexed.wait(), 600)
        index_s = time.perf_counter() - started

        text = target.text
        partial: list[str] = []
        renamed = text.replace(f"lit: {target.attribute}\n", f"lit: {target.attribute.swapcase()}\n")
        watched = target.watched.as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=target.edited.as_uri(), language_id="yaml", version=1, text=text)))
        await asyncio.sleep(2.0)

        def drain() -> None:
            for queue in (client.published, client.analysed):
                while not queue.empty():
                    queue.get_nowait()

        version = 1

        def send(new_text: str) -> float:
            nonlocal version
            version += 1
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=target.edited.as_uri(), version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=new_text)]))
            return time.perf_counter()

        async def published(expect_fl001: bool, after: float, watched: str = watched) -> float:
            """When G's findings, published after ``after``, show the expected state."""
            while True:
                try:
                    received, params = await asyncio.wait_for(client.published.get(), 120)
                except TimeoutError:
                    raise SystemExit("no publication of the expected findings within 120 s; the server said:\n"
                                     + "\n".join(client.logs[-20:])) from None
                found = {str(d.code) for d in params.diagnostics}
                if params.uri == watched and DEBUG:
                    print("G published", round((received - after) * 1000), sorted(found),
                          [d.message[:60] for d in params.diagnostics], file=sys.stderr)
                stale = any(f"'{name}'" in d.message for d in params.diagnostics for name in partial)
                if received > after and params.uri == watched and ("FL001" in found) == expect_fl001 and not stale:
                    return received

        drain()
        renames: list[float] = []
        for n in range(edits):
            sent = send(renamed if n % 2 == 0 else text)
            renames.append((await published(n % 2 == 0, sent) - sent) * 1000)
            await asyncio.sleep(0.2)
        values: list[float] = []
        for n in range(edits):
            drain()
            sent = send(text + "# reviewed\n" if n % 2 == 0 else text)
            values.append((await asyncio.wait_for(client.analysed.get(), 120) - sent) * 1000)
            await asyncio.sleep(0.2)
        bursts: list[float] = []
        typing = [text.replace(f"lit: {target.attribute}\n", f"lit: {target.attribute[:k]}\n")
                  for k in range(len(target.attribute) - 1, max(0, len(target.attribute) - 5), -1)]
        # Through spellings nobody reads (G may show FL005 for them meanwhile; not at the end).
        partial[:] = [target.attribute[:k] for k in range(len(target.attribute) - 1, max(0, len(target.attribute) - 5), -1)]
        for n in range(10):
            drain()
            for keystroke in typing:
                send(keystroke)
                await asyncio.sleep(0.03)
            sent = send(renamed if n % 2 == 0 else text)
            # The last keystroke's state may equal one published meanwhile (nothing new to
            # publish): time to the end of the analysis that includes it, as for value-only edits.
            while (done := await asyncio.wait_for(client.analysed.get(), 120)) <= sent:
                pass
            bursts.append((done - sent) * 1000)
            await asyncio.sleep(0.2)
        async def analysis_done(n: int, sent: float) -> float:
            while (done := await asyncio.wait_for(client.analysed.get(), 120)) <= sent:
                pass
            return done

        async def swapping(path: Path, name: str, original: str,
                           done: Callable[[int, float], Awaitable[float]]) -> list[float]:
            """Open ``path``, then swap the case of its Set of ``name`` back and forth:
            milliseconds from each didChange to ``done`` (the n-th edit, sent at a time)."""
            nonlocal version
            client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
                uri=path.as_uri(), language_id="yaml", version=1, text=original)))
            await asyncio.sleep(1.0)
            changed = original.replace(f"lit: {name}\n", f"lit: {name.swapcase()}\n")
            found: list[float] = []
            for n in range(edits):
                drain()
                version += 1
                sent = time.perf_counter()
                client.text_document_did_change(types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
                    content_changes=[types.TextDocumentContentChangeWholeDocument(
                        text=changed if n % 2 == 0 else original)]))
                found.append((await done(n, sent) - sent) * 1000)
                await asyncio.sleep(0.2)
            return found

        widely: list[float] = []
        if target.popular is not None:  # nothing new may be published: timed to the analysis' end
            widely = await swapping(*target.popular, analysis_done)
        callers: list[float] = []
        partial.clear()  # the burst's spellings: another flow's messages may name them
        if target.caller is not None:
            path, reader, name, original = target.caller

            async def reader_published(n: int, sent: float) -> float:
                return await published(n % 2 == 0, sent, reader.as_uri())

            callers = await swapping(path, name, original, reader_published)
        in_module: list[float] = []
        if target.module is not None:  # timed to the analysis' end, as above
            in_module = await swapping(*target.module, analysis_done)
        memory = _peak_rss_mb(server.pid)

        client.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=target.edited.as_uri())))
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    return {"index": f"{index_s:.1f}", "rename": _summary(renames), "value": _summary(values),
            "burst": _summary(bursts), "memory": f"{memory:.0f}",
            "widely": (_summary(widely) + f" ('{target.popular[1]}')") if target.popular and widely else "-",
            "edit": f"'{target.attribute}' ({target.edited.name} -> {target.watched.name})",
            "caller": (_summary(callers) + f" ('{target.caller[2]}', {target.caller[0].name} -> "
                       f"{target.caller[1].name})") if target.caller and callers else "-",
            "module": (_summary(in_module) + f" ('{target.module[1]}' in {target.module[0].name})")
            if target.module and in_module else "-"}


_ANALYSIS = re.compile(r"analysis ([0-9.]+) ms")


def _summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.0f} / {p95:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flows", type=int, nargs="+", default=[500])
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--debounce-ms", type=int, default=50)
    args = parser.parse_args()
    rows = {n: asyncio.run(run(n, args.edits, args.debounce_ms)) for n in args.flows}
    sizes = list(rows)
    print(f"Language server, realistic workspaces (`bench/generate.py`), debounce {args.debounce_ms} ms, "
          f"{args.edits} edits of each kind; latencies in ms, median / p95:\n")
    print("| measure | " + " | ".join(f"N = {n:,}" for n in sizes) + " | target |")
    print("|---|" + "---|" * len(sizes) + "---|")
    lines = [
        ("initialize + index, s", "index", "< 10 s at 5,000"),
        ("rename a Set (FL001 raised/cleared in a closed flow), didChange -> publish", "rename",
         "< 100 / < 200 at 5,000"),
        ("value-only edit (a comment), didChange -> analysis done", "value", "< 30"),
        ("burst of 5 keystrokes 30 ms apart, from the last to its analysis' end", "burst", ""),
        ("rename the most widely set attribute, didChange -> analysis done", "widely", ""),
        ("rename a Set in a flow calling a common module, didChange -> publish", "caller", ""),
        ("rename a Set in a common module, didChange -> analysis done", "module", ""),
        ("server peak memory (VmHWM), MB", "memory", "< 1,024 at 5,000"),
        ("the edit", "edit", ""),
    ]
    for label, key, target in lines:
        print(f"| {label} | " + " | ".join(rows[n][key] for n in sizes) + f" | {target} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
