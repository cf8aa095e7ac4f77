"""Make Great Expectations' Data Docs readable offline, and give them an index that works offline.

GX renders every validation and suite page as static HTML, but links its styles and scripts from
CDNs, and its index page is filled in by JavaScript from those CDNs: offline it shows nothing. This
module strips the remote assets (a browser without network would wait on them), adds a small local
stylesheet, and replaces the index with a static page: every suite with its status, links to its
pages, and every failure and warning spelled out.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revenue_engine.quality.runner import QualityReport

GENERATED = ("index.html", "validations", "expectations", "static", "summary.json")
REMOTE_TAG = re.compile(
    r"<(script|link)\b[^>]*\b(?:src|href)=\"https?://[^\"]*\"[^>]*>(?:\s*</script>)?", re.IGNORECASE
)
REMOTE_IMAGE = re.compile(r"<img\b[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>", re.IGNORECASE)
STYLESHEET = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.failed { color: #b00020; font-weight: bold; }
.warnings { color: #a15c00; font-weight: bold; }
.passed { color: #1b7a1b; }
code, pre { background: #f6f6f6; }
.hide, .d-none, .modal, footer, #ge-cta-footer { display: none; }
.collapse { display: block; }
/* the status icons come from a web font that cannot load offline: draw them as text */
.fas.fa-check-circle::before { content: "\2714  passed"; color: #1b7a1b; font-style: normal; }
.fas.fa-times::before { content: "\2716  not met"; color: #b00020; font-weight: bold; }
.fas.fa-exclamation-triangle::before { content: "\26A0  warning"; color: #a15c00; }
"""


def clear(out: Path) -> None:
    """Remove what a previous run wrote under `out` (only the runner's own files)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in GENERATED:
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def make_offline(out: Path, report: QualityReport) -> Path:
    """Strip remote assets from every page, link the local stylesheet, write the static index."""
    styles = out / "static" / "styles"
    styles.mkdir(parents=True, exist_ok=True)
    (styles / "offline.css").write_text(STYLESHEET)
    for page in out.rglob("*.html"):
        depth = len(page.relative_to(out).parts) - 1
        local = "../" * depth + "static/styles/offline.css"
        text = REMOTE_IMAGE.sub("", REMOTE_TAG.sub("", page.read_text(encoding="utf-8")))
        text = text.replace("</head>", f'<link rel="stylesheet" href="{local}"></head>', 1)
        page.write_text(text, encoding="utf-8")
    for suite in report.suites:
        pages = sorted((out / "validations" / Path(*suite.name.split("."))).rglob("*.html"))
        if pages:
            suite.page = pages[-1].relative_to(out).as_posix()
    report.docs_root = out
    index = out / "index.html"
    index.write_text(_index_html(report), encoding="utf-8")
    return index


def _index_html(report: QualityReport) -> str:
    escape = html.escape
    status = "failed" if report.failures else ("warnings" if report.warnings else "passed")
    verdict = {"failed": "failed", "warnings": "passed, with warnings", "passed": "passed"}[status]
    rows = []
    out = report.docs_root
    for suite in sorted(report.suites, key=lambda item: item.name):
        link = escape(suite.name)
        if suite.page:
            link = f'<a href="{escape(suite.page)}">{link}</a>'
        definition = Path("expectations", *suite.name.split(".")).with_suffix(".html")
        expectations = ""
        if out is not None and (out / definition).exists():
            expectations = f'<a href="{escape(definition.as_posix())}">expectations</a>'
        rows.append(
            f'<tr><td>{link}</td><td class="{suite.status}">{suite.status}</td>'
            f"<td>{suite.evaluated}</td><td>{suite.failed_critical}</td><td>{suite.failed_warning}</td>"
            f"<td>{expectations}</td><td>{escape(suite.location)}</td></tr>"
        )

    def findings(items: list) -> str:
        if not items:
            return "<p>None.</p>"
        body = "".join(
            f"<tr><td>{escape(item.suite)}</td><td>{escape(item.column or '')}</td>"
            f"<td>{escape(item.describe())}</td><td>{escape(item.location)}</td></tr>"
            for item in items
        )
        return (
            "<table><tr><th>suite</th><th>column</th><th>what failed</th><th>where</th></tr>"
            f"{body}</table>"
        )

    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>revenue_engine data quality</title>
<link rel="stylesheet" href="static/styles/offline.css"></head>
<body>
<h1>revenue_engine data quality: <span class="{status}">{verdict}</span></h1>
<p>{len(report.suites)} suites, {report.expectations} expectations: {len(report.failures)} failed
(critical: the run stops and nothing is published), {len(report.warnings)} warnings (reported only).
Raw-contract suites are named <code>raw.&lt;source&gt;.&lt;table&gt;</code>; mart and audit suites
<code>marts.*</code> and <code>audit.*</code>. Each suite links to its Great Expectations
validation page.</p>
<h2>Failures</h2>
{findings(report.failures)}
<h2>Warnings</h2>
{findings(report.warnings)}
<h2>Suites</h2>
<table><tr><th>suite</th><th>status</th><th>expectations</th><th>failed</th><th>warnings</th>
<th>suite definition</th><th>data</th></tr>
{"".join(rows)}
</table>
</body></html>
"""
