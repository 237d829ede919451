"""The map page in a real headless Chromium (Debian's `chromium`, driven by Playwright's Python
API with the system browser: no `playwright install`).  Skipped, with the reason, only where
no browser is installed."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright
except ImportError:  # pragma: no cover - the test extra has it
    pytest.skip("playwright is not installed (pip install -e '.[test]')", allow_module_level=True)
from click.testing import CliRunner

from flowlint.cli import main
from tests.map_fixtures import SECRETS, write_project

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("FLOWLINT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

if not os.path.exists(CHROMIUM):
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


def _page(browser: Browser, html: Path, errors: list[str]) -> Page:
    page = browser.new_page(viewport={"width": 1400, "height": 860})

    def console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            errors.append(f"{message.type}: {message.text}")

    def request(sent: Request) -> None:
        if not sent.url.startswith("file:"):
            errors.append(f"request: {sent.url}")  # the page must never reach the network

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on("request", request)
    page.goto(html.as_uri())
    page.wait_for_selector("html[data-ready=true]", timeout=10_000)
    return page


def _write_map(paths: list[str], out: Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["map", *paths, "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    return json.loads(page.split('id="map-data">')[1].split("</script>")[0])


def test_examples_map(browser: Browser, tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    data = _write_map([str(ROOT / "examples")], out)
    errors: list[str] = []
    page = _page(browser, out, errors)
    # Every flow is a node.
    drawn = page.eval_on_selector_all("#viewport .node", "els => els.map(e => e.getAttribute('data-name'))")
    assert sorted(drawn) == sorted(n["name"] for n in data["nodes"])
    assert len([n for n in data["nodes"] if n["type"] not in ("missing", "external")]) == 7
    # Searching an attribute highlights exactly its Set and Get sites.
    page.fill("#search", "CardToken")
    page.click("#results button[data-attribute='CardToken']")
    attribute = next(a for a in data["attributes"] if a["name"] == "CardToken")
    names = {n["id"]: n["name"] for n in data["nodes"]}
    expected_gets = sorted(names[s["node"]] for s in attribute["sites"] if s["op"] == "get")
    expected_sets = sorted(names[s["node"]] for s in attribute["sites"] if s["op"] == "set")
    gets = page.eval_on_selector_all("#viewport .node.is-get", "els => els.map(e => e.getAttribute('data-name')).sort()")
    sets = page.eval_on_selector_all("#viewport .node.is-set", "els => els.map(e => e.getAttribute('data-name')).sort()")
    assert (sets, gets) == (expected_sets, expected_gets) and gets == ["Loyalty", "Main IVR", "Payments"]
    rows = page.eval_on_selector_all("#details tr.site", "els => els.map(e => [e.dataset.op, e.dataset.line])")
    assert rows == [[s["op"], str(s["position"]["line"])] for s in attribute["sites"]]
    # A finding's link carries the right file:line, and links to the rule's text.
    page.keyboard.press("Escape")
    page.click("#node-" + next(i for i, n in names.items() if n == "Support"), force=True)
    link = page.locator("#details .finding[data-code='FL001'] a.loc")
    assert (link.text_content() or "").endswith("examples/flows/support.yaml:28")
    assert link.get_attribute("data-line") == "28"
    assert (link.get_attribute("href") or "").endswith("examples/flows/support.yaml#L28")
    rule = page.locator("#details .finding[data-code='FL001'] a.rule")
    assert rule.get_attribute("href") == "docs/rules.md#fl001-attribute-name-case-mismatch"
    page.keyboard.press("Escape")
    page.click("#zoom-fit")
    ARTIFACTS.mkdir(exist_ok=True)
    page.fill("#search", "AccountId")
    page.click("#results button[data-attribute='AccountId']")
    page.screenshot(path=str(ARTIFACTS / "map-examples.png"))
    assert (ARTIFACTS / "map-examples.png").stat().st_size > 10_000
    assert errors == []


def test_keyboard_and_secured_data(browser: Browser, tmp_path: Path) -> None:
    project = write_project(tmp_path)
    out = tmp_path / "map.html"
    _write_map([str(project)], out)
    errors: list[str] = []
    page = _page(browser, out, errors)
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search"
    page.keyboard.type("cardcopy")
    page.keyboard.press("Enter")
    assert page.locator("#details h2").text_content() == "CardCopy"
    assert page.locator("#details .tag.secured").count() >= 1
    assert page.locator("#details .chain").count() == 1
    # Tab onto a flow, move along its links with the arrow keys, select with Enter.
    page.focus("#node-n1")
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("document.activeElement.getAttribute('data-name')")
    assert focused in ("Helper Module", "Support Line", "Nowhere Flow")
    page.keyboard.press("Enter")
    assert page.locator("#details h2").text_content() == focused
    assert page.locator("#viewport .node.has-secured").count() == 1
    content = page.content()
    for secret in SECRETS:
        assert secret not in content
    assert errors == []
