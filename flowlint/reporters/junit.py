"""``--format junit``: one test case per flow file, one ``<failure>`` per finding.

Every reported file is a test case (clean files pass), so CI dashboards show the flows
that were checked, not only the broken ones.  Info findings are failures too: whether
they fail the build is the exit code's business (``--fail-on``), not the report's.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from flowlint.diagnostics import Diagnostic

if TYPE_CHECKING:
    from flowlint.reporters import Report

#: Characters XML 1.0 cannot carry at all (even escaped).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def render_report(report: Report) -> str:
    from flowlint.reporters.text import format_diagnostic

    by_file: dict[str, list[Diagnostic]] = {path: [] for path in report.files}
    for diagnostic in report.diagnostics:
        by_file.setdefault(diagnostic.file, []).append(diagnostic)
    failing = sum(1 for found in by_file.values() if found)
    counts = {"tests": str(len(by_file)), "failures": str(failing), "errors": "0", "skipped": "0"}
    suites = ET.Element("testsuites", {"name": "flowlint", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": "flowlint", **counts})
    for path in sorted(by_file):
        case = ET.SubElement(suite, "testcase", {"classname": "flowlint", "name": _clean(path), "file": _clean(path)})
        for diagnostic in by_file[path]:
            failure = ET.SubElement(case, "failure", {
                "type": diagnostic.code,
                "message": _clean(f"{diagnostic.code} [{diagnostic.severity.value}] {diagnostic.message}"),
            })
            failure.text = _clean(format_diagnostic(diagnostic))
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
