"""Browser tests: Debian's Chromium driven by Playwright, axe-core injected into the page.

Install (scripts/test does it): ``apt-get install chromium``, ``pip install playwright`` (the dev
extra), ``npm ci --prefix tests/browser`` (axe-core). Playwright's own browser download is never
used: Chromium is started from /usr/bin/chromium.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("EGOV_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Every context the tests open records the Content-Security-Policy's refusals from the start.
CSP_WATCH = """
window.__egovCspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__egovCspViolations.push(`${e.effectiveDirective} ${e.blockedURI} ${where}`);
});
"""


@pytest.fixture
def browser(tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    if not AXE.exists():
        pytest.skip("axe-core missing: npm ci --prefix tests/browser")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        new_context = browser.new_context

        def watched_context(*args, **kwargs):
            context = new_context(*args, **kwargs)
            context.add_init_script(CSP_WATCH)
            return context

        browser.new_context = watched_context
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the current page (all rules: WCAG 2.x A/AA and best practices),
    and what the page's Content-Security-Policy refused so far (id ``csp``)."""
    # Evaluated, not a <script> tag: the policy refuses inline scripts, as it should.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => (await axe.run(document)).violations")
    refused = page.evaluate("window.__egovCspViolations || []")
    return [{"id": "csp", "impact": "critical", "help": v, "targets": []} for v in refused] + [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result
    ]
