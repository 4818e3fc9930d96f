"""The architecture as a test: every import between Werkpunt's packages points down, with no circles.

    settings            the ground: imports nothing of ours
    placement           the data layer: imports nothing of ours either (callers pass URLs and engines)
    actions, bot        build on placement and settings; they never import each other
    staff               builds on those and on the gateway's outbox (bot)
    werkpunt            the top: composition root, launcher, database set-up
Function-level (lazy) imports count as much as module-level ones. Tools (tools/) and tests (tests/)
stand beside the top and may import anything; nothing of the product imports them.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

from settings import ROOT

ALLOWED = {
    "settings": set(),
    "placement": set(),
    "actions": {"placement", "settings"},
    "bot": {"placement", "settings"},
    "staff": {"placement", "settings", "bot"},
    "werkpunt": {"placement", "settings", "bot", "staff"},
}
OURS = set(ALLOWED) | {"tools", "tests", "migrations"}


def product_modules() -> dict[str, Path]:
    modules = {}
    for package in ALLOWED:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def nearest(name: str, modules: dict[str, Path]) -> str | None:
    """The module of ours that an imported dotted name lives in (None for other libraries)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(path: Path, module: str, modules: dict[str, Path]) -> set[str]:
    """The modules of ours that `path` imports, wherever in the file the import stands.

    `from placement import clock` imports placement.clock (not placement's __init__), and
    `from placement.db import make_engine` imports placement.db.
    """
    found: set[str | None] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {nearest(alias.name, modules) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{path}: use absolute imports"
            found |= {nearest(f"{node.module}.{alias.name}", modules) for alias in node.names}
    return {name for name in found if name and name != module}


def graph() -> dict[str, set[str]]:
    modules = product_modules()
    return {module: imports_of(path, module, modules) for module, path in modules.items()}


def test_every_import_points_down():
    wrong = sorted(f"{module} imports {target}" for module, targets in graph().items() for target in targets
                   if target.split(".")[0] != module.split(".")[0]
                   and target.split(".")[0] not in ALLOWED[module.split(".")[0]])
    assert wrong == []


def test_no_import_circles_between_modules():
    edges = graph()
    state: dict[str, int] = {}
    circles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                circles.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(product_modules()):
        if node not in state:
            visit(node, [node])
    assert circles == []


def test_no_test_helpers_or_tools_in_the_product_packages():
    files = subprocess.run(["git", "ls-files", *ALLOWED], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    helpers = [f for f in files if Path(f).stem.startswith(("test", "fake", "bench", "screenshot", "gen_"))
               or Path(f).stem in ("conftest", "testing")]
    assert helpers == []
