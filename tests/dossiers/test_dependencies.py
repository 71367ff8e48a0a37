"""The portal (the citizen's front end) depends on the dossiers app, never the reverse: no module
of egov.dossiers imports egov.portal (what both need lives in egov.dossiers, e.g. ``web``,
``application``). Import cycles inside the app are found for every app by
tests/test_layers.py."""

from __future__ import annotations

import ast
from pathlib import Path

import egov.dossiers


def _imported_modules(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_no_dossiers_module_imports_the_portal():
    package = Path(egov.dossiers.__file__).parent
    sources = sorted(package.rglob("*.py"))
    assert len(sources) > 10
    offending = [
        f"{path.relative_to(package)}: {name}"
        for path in sources
        for name in _imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        if name == "egov.portal" or name.startswith("egov.portal.")
    ]
    assert offending == []


def test_no_dossiers_template_includes_or_extends_a_portal_template():
    import re

    templates = Path(egov.dossiers.__file__).parent / "templates"
    pattern = re.compile(r"{%\s*(?:include|extends)\s+[\"']portal/")
    offending = [
        str(path.relative_to(templates))
        for path in sorted(templates.rglob("*.html"))
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offending == []
