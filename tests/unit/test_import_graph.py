"""Imports go one way: no cycle between the modules of app/, none between its areas, and no import placed inside a
function to dodge one.

Read from the source with `ast`, not by importing, so a cycle that happens to import in a lucky order still fails.
The areas' layers are the README's *Code layout*: an area imports only areas below it. The `tables` modules are the
schema, one database that any area may read (an RFQ's buyer view counts the offers' rows), so their edges do not
count between areas; they form no cycle among modules either.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from app.settings import PROJECT_ROOT

APP = PROJECT_ROOT / "app"

# Top of the story down: an area may import from any area after it in this list, never from one before it.
AREAS = ("demo", "dashboard", "analytics", "sourcing", "invoicing", "orders", "onbehalf", "spending", "billing",
         "contracts", "offers", "rfq", "curation", "vendors", "catalog", "exchange_rates", "accounts", "notifications")
# An import inside a function is allowed only with a reason on its line: `# lazy: <why>`.
LAZY_MARK = "# lazy:"


def _modules() -> dict[str, Path]:
    found = {}
    for path in APP.rglob("*.py"):
        if "piccolo_migrations" in path.parts:
            continue
        parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The app modules an import statement loads (a `from package import module` loads the module)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if MODULES[module].name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
    for name in names:
        if name in MODULES:
            yield name


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                graph[module].update(target for target in _targets(module, node) if target != module)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _area(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in AREAS) else None


def test_the_reader_finds_a_cycle_when_there_is_one() -> None:
    # given a tiny graph with a cycle through three modules, and one without
    with_cycle = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    without = {"a": {"b"}, "b": {"c"}, "c": set()}
    # then only the first has one
    assert _cycles(with_cycle) == [["a", "b", "c"]]
    assert _cycles(without) == []


def test_the_reader_resolves_relative_and_package_imports() -> None:
    # `from app.offers import store` loads app.offers.store, `from . import x` inside app.offers too
    node = ast.parse("from app.offers import store, schemas").body[0]
    assert set(_targets("app.offers.services", node)) >= {"app.offers.store", "app.offers.schemas"}  # type: ignore[arg-type]
    relative = ast.parse("from . import store").body[0]
    assert "app.offers.store" in set(_targets("app.offers.services", relative))  # type: ignore[arg-type]


def test_no_module_of_app_imports_itself_back() -> None:
    assert len(MODULES) > 100  # the whole app was read
    assert _cycles(_graph()) == []


def test_areas_import_only_the_areas_below_them() -> None:
    # given the edges between areas, leaving out the schema (tables) and the top-level modules
    between: dict[tuple[str, str], list[str]] = defaultdict(list)
    for module, targets in _graph().items():
        source = _area(module)
        if source is None or module.endswith(".tables"):
            continue
        for target in targets:
            destination = _area(target)
            if destination is not None and destination != source and not target.endswith(".tables"):
                between[(source, destination)].append(f"{module} -> {target}")
    # then each goes down the list of areas
    upward = [
        edge for (source, destination), edges in sorted(between.items())
        if AREAS.index(destination) < AREAS.index(source) for edge in edges
    ]
    assert upward == []
    assert ("contracts", "offers") in between and ("offers", "rfq") in between  # the graph was really read


def test_every_import_inside_a_function_says_why() -> None:
    unexplained = []
    for module, path in MODULES.items():
        source = path.read_text()
        lines = source.splitlines()
        for function in ast.walk(ast.parse(source, str(path))):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and LAZY_MARK not in lines[node.lineno - 1]:
                    unexplained.append(f"{module}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    assert unexplained == []
