"""The portal (the citizen's front end) depends on the dossiers app, never the reverse: no module
of egov.dossiers imports egov.portal (what both need lives in egov.dossiers, e.g. ``web``,
``application``)."""

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


def _cycles(graph, modules) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan), imports inside
    functions included."""
    edges = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_inside_dossiers():
    import grimp

    graph = grimp.build_graph("egov", cache_dir=None)
    modules = {m for m in graph.modules if m.startswith("egov.dossiers")}
    assert len(modules) > 40
    assert _cycles(graph, modules) == []
