"""The library's import graph: no cycles, and every name imported from it exists.

`rag/pipeline.py`, `rag/search.py` and `rag/atlas.py` used to import each other in a circle,
kept working by imports hidden inside functions. Both checks read every import, those inside
functions included (only `if TYPE_CHECKING:` blocks are left out: they never run), so a cycle
cannot hide in a lazy import again, and a moved or renamed name fails here rather than at the
first call of the function that imports it.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "secondbrain_core"
# folders whose imports from the library must resolve
IMPORTERS = (PACKAGE, "secondbrain_dagster", "asset_checks", "benchmarks", "tests")
# a Streamlit script: importing it renders the page (its own imports are still checked)
NOT_IMPORTED = {"secondbrain_core.app.chat"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def library_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted((ROOT / PACKAGE).rglob("*.py"))}


def imports(path: Path) -> Iterator[tuple[int, str, list[str]]]:
    """(line, module, names) of every import in `path` that can run; `import m` gives no names."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    return parse_imports(path.read_text(encoding="utf-8"), package)


def parse_imports(source: str, package: str) -> Iterator[tuple[int, str, list[str]]]:
    """`imports` of a module's source; relative imports resolve against `package`."""
    tree = ast.parse(source)
    skipped = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for stmt in block.body
        for node in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against this module's package
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            yield node.lineno, base, [alias.name for alias in node.names]


def import_graph() -> dict[str, set[str]]:
    """Library module -> the library modules it imports (a `from pkg import sub` names `pkg.sub`)."""
    modules = library_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for _, target, names in imports(path):
            if target in modules:
                graph[name].add(target)
            graph[name].update(f"{target}.{n}" for n in names if f"{target}.{n}" in modules)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            child = next(edges, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_lazy_imports_count_and_type_checking_ones_do_not() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from .b import x\n"
        "if TYPE_CHECKING:\n"
        "    from pkg.c import Y\n"
        "def f():\n"
        "    from pkg.d import z\n"
        "    import pkg.e\n"
    )
    found = [(module, names) for _, module, names in parse_imports(source, "pkg")]
    assert found == [("typing", ["TYPE_CHECKING"]), ("pkg.b", ["x"]), ("pkg.d", ["z"]), ("pkg.e", [])]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_library_import_graph_has_no_cycle() -> None:
    assert cycles(import_graph()) == []


def test_search_and_build_reach_the_backends_only_through_the_interface() -> None:
    """Only the factory names the implementations; search and build know the interface."""
    graph = import_graph()
    implementations = {"secondbrain_core.rag.local_index", "secondbrain_core.rag.atlas"}
    for module in ("secondbrain_core.rag.search", "secondbrain_core.rag.pipeline"):
        assert "secondbrain_core.rag.backends" in graph[module], module
        assert not graph[module] & implementations, module
    importers = {name for name, targets in graph.items() if targets & implementations}
    assert importers == {"secondbrain_core.rag.backends"}


def test_every_module_imports_and_every_imported_name_exists_in_a_fresh_interpreter() -> None:
    wanted: dict[str, set[str]] = {name: set() for name in library_modules() if name not in NOT_IMPORTED}
    where: dict[tuple[str, str], str] = {}
    for folder in IMPORTERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for line, target, names in imports(path):
                if target == PACKAGE or target.startswith(f"{PACKAGE}."):
                    wanted.setdefault(target, set()).update(names)
                    for name in names:
                        where.setdefault((target, name), f"{path.relative_to(ROOT)}:{line}")
    probe = (
        "import importlib, json, sys\n"
        "wanted = json.loads(sys.stdin.read())\n"
        "missing = []\n"
        "for module, names in sorted(wanted.items()):\n"
        "    try:\n"
        "        loaded = importlib.import_module(module)\n"
        "    except Exception as exc:\n"
        "        missing.append([module, '', f'{type(exc).__name__}: {exc}'])\n"
        "        continue\n"
        "    for name in names:\n"
        "        if name != '*' and not hasattr(loaded, name):\n"
        "            try:\n"
        "                importlib.import_module(f'{module}.{name}')\n"
        "            except ImportError as exc:\n"
        "                missing.append([module, name, str(exc)])\n"
        "print(json.dumps(missing))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        input=json.dumps({module: sorted(names) for module, names in wanted.items()}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    missing = json.loads(done.stdout.strip().splitlines()[-1])
    assert [[*row, where.get((row[0], row[1]), "")] for row in missing] == []
