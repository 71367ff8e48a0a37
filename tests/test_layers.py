"""No import cycles inside an app (the layers between apps are import-linter's: pyproject.toml).

Every import counts, those inside functions too: a cycle dodged by importing late is still a
cycle (the modules cannot be understood, tested or split one without the other).
"""

from __future__ import annotations

import grimp

# Every app is free of cycles since issue 11 (the dossier services, the documents, the exchange's
# hub and relay, the notifications were untangled). Keep it empty: an entry here is a debt, and
# one that is no longer a cycle fails, so the list can only shrink.
KNOWN_CYCLES: list[set[str]] = []


def strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm: the sets of modules that import each other, directly or not."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(edges[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            found.append(component)

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def cycles_in_apps() -> list[set[str]]:
    graph = grimp.build_graph("egov", cache_dir=None)
    apps = {module.split(".")[1] for module in graph.modules if module.count(".") >= 1}
    cycles = []
    for app in sorted(apps):
        root = f"egov.{app}"
        inside = {m for m in graph.modules if m == root or m.startswith(root + ".")}
        edges = {m: graph.find_modules_directly_imported_by(m) & inside for m in inside}
        cycles += [c for c in strongly_connected(edges) if len(c) > 1]
    return cycles


def test_the_finder_sees_a_cycle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(edges) == [{"a", "b", "c"}, {"d"}]


def test_no_import_cycles_inside_an_app():
    cycles = cycles_in_apps()
    new = [sorted(c) for c in cycles if not any(c <= known for known in KNOWN_CYCLES)]
    assert not new, f"import cycles inside an app: {new}"
    gone = [sorted(k) for k in KNOWN_CYCLES if not any(c <= k for c in cycles)]
    assert not gone, f"no longer cycles, remove them from KNOWN_CYCLES: {gone}"
