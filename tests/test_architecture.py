"""The package layout's rules, read from the source (docs/architecture.md): the model (the
domain) imports neither the store, nor Textual, nor ``subprocess``/``mmap``; widgets never
import the store; no module of ``tui`` imports itself back through others. Every import
counts, those inside functions too (an import moved into a function to dodge a cycle is
still a cycle), but for those only type checkers read (``if TYPE_CHECKING:``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "tui"


def _modules(root: Path, package: str) -> dict[str, Path]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join([package, *parts])] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module ``name`` imports (absolute names; ``from pkg import module`` counts as
    importing that module)."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[:len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.add(sub if sub in known else target)
    return out


def _runtime_nodes(tree: ast.AST):
    """Every node, but those under ``if TYPE_CHECKING:`` (read by type checkers, never run)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not (isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING"):
                todo.append(child)


def _graph(root: Path = ROOT, package: str = "tui") -> dict[str, set[str]]:
    modules = _modules(root, package)
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _breaks(graph: dict[str, set[str]]) -> list[str]:
    """What breaks the rules, one line each."""
    found = []
    for module, imported in sorted(graph.items()):
        for target in sorted(imported):
            top = target.split(".")[0]
            if module.startswith("tui.model") and (
                    target.startswith(("tui.store", "tui.widgets", "tui.screens", "tui.app"))
                    or top in ("textual", "subprocess", "mmap")):
                found.append(f"{module} imports {target}")
            if module.startswith("tui.widgets") and target.startswith("tui.store"):
                found.append(f"{module} imports {target}")
    return found + [" -> ".join(cycle) for cycle in _cycles(graph)]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each module that is on one (depth-first search)."""
    cycles, state = [], {}

    def visit(module: str, stack: list[str]) -> None:
        state[module] = "open"
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in graph:
                continue
            if state.get(target) == "open":
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target, stack)
        stack.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    return cycles


def test_the_layout_keeps_its_rules():
    graph = _graph()
    assert "tui.store.loader" in graph and "tui.model.timeline" in graph  # it reads the real tree
    assert _breaks(graph) == []


def test_the_model_reaches_nothing_of_the_store_even_indirectly():
    graph = _graph()
    seen, todo = set(), [m for m in graph if m.startswith("tui.model")]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(t for t in graph.get(module, ()) if t in graph)
    assert seen and all(m.startswith("tui.model") or m == "tui" for m in seen), sorted(seen)


@pytest.mark.parametrize("files, expected", [
    ({"model/__init__.py": "", "model/timeline.py": "from ..store import loader\n",
      "store/__init__.py": "", "store/loader.py": "from ..model import timeline\n"},
     ["tui.model.timeline imports tui.store.loader",
      "tui.model.timeline -> tui.store.loader -> tui.model.timeline"]),
    ({"model/__init__.py": "", "model/dates.py": "def f():\n    import mmap\n    from textual import app\n",
      "model/kinds.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import mmap\n"},
     ["tui.model.dates imports mmap", "tui.model.dates imports textual"]),
    ({"widgets/__init__.py": "", "widgets/pane.py": "from tui.store.cache import save\n",
      "store/__init__.py": "", "store/cache.py": ""},
     ["tui.widgets.pane imports tui.store.cache"]),
])
def test_the_check_finds_what_breaks_the_rules(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert _breaks(_graph(tmp_path, "tui")) == expected


def test_every_package_is_installed():
    """A package missing from pyproject's list works in an editable install and vanishes from a
    real one (`pip install .`, what the README and CI run): every folder of `tui` with an
    `__init__.py` must be listed."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(root).parts) for p in (root / "tui").rglob("__init__.py")}
    assert found - listed == set()
