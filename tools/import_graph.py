"""The project's import graph, read from the code (ast): every import statement, at module level or inside a
function or an `if TYPE_CHECKING:` block, of archive/, indexer/, webui/ and xuncha/.

    python tools/import_graph.py [--package indexer] [--collapse indexer.backends.whoosh] > graph.mmd

prints a mermaid flowchart of one package's modules (the engines' subpackages collapsed into one box each by
default, so the drawing shows the interface with its engines); tests/test_imports.py checks the same graph for
circles, private names, whoosh outside its backend and layers pointing the wrong way.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "indexer", "webui", "xuncha")


@dataclass(frozen=True, slots=True)
class Edge:
    source: str  # the importing module
    target: str  # the imported module (an internal module when `internal`)
    names: tuple[str, ...]  # the names a `from … import` takes from it (() for `import x`)
    line: int
    internal: bool


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Every module of the packages, by dotted name."""
    out = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            out[module_name(path, root)] = path
    return out


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([name] if name else [])])


def edges(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> list[Edge]:
    """Every import of the packages' modules (a `from package import module` goes to the module)."""
    known = modules(root, packages)
    out = []
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    out.append(Edge(module, alias.name, (), node.lineno, alias.name in known))
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(module, is_package, node.level, node.module) if node.level else node.module or ""
                plain = []
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    if sub in known:
                        out.append(Edge(module, sub, (), node.lineno, True))
                    else:
                        plain.append(alias.name)
                if plain or not node.names:
                    out.append(Edge(module, target, tuple(plain), node.lineno, target in known))
    return out


def internal_graph(all_edges: Iterable[Edge]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for e in all_edges:
        if e.internal and e.target != e.source:
            graph.setdefault(e.source, set()).add(e.target)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _box(module: str, package: str, collapse: tuple[str, ...]) -> str:
    for c in collapse:
        if module == c or module.startswith(c + "."):
            return c
    return module


def mermaid(package: str = "indexer", collapse: tuple[str, ...] | None = None, root: Path = ROOT) -> str:
    """A mermaid flowchart of `package`'s modules and their imports (each of `collapse` drawn as one box)."""
    if collapse is None:
        backends = root / package / "backends"
        collapse = tuple(f"{package}.backends.{p.name}" for p in sorted(backends.iterdir())
                         if p.is_dir() and (p / "__init__.py").is_file()) if backends.is_dir() else ()
    links: set[tuple[str, str]] = set()
    nodes: set[str] = set()
    for e in edges(root):
        if not e.internal or not e.source.startswith(package) or not e.target.startswith(package):
            continue
        a, b = _box(e.source, package, collapse), _box(e.target, package, collapse)
        if a == package or b == package:
            continue  # the package's own __init__ (a docstring)
        nodes.update((a, b))
        if a != b:
            links.add((a, b))

    def ident(m: str) -> str:
        return m.replace(".", "_")

    def label(m: str) -> str:
        short = m.removeprefix(package + ".")
        return f"{short}/ (engine)" if m in collapse else short

    lines = ["flowchart LR"]
    for n in sorted(nodes):
        lines.append(f'  {ident(n)}["{label(n)}"]')
    for a, b in sorted(links):
        lines.append(f"  {ident(a)} --> {ident(b)}")
    facade = f"{package}.backends"
    for engine in collapse:  # opened by name (importlib) in the backends' facade: no import statement to read
        if engine.startswith(facade + ".") and facade in nodes:
            lines.append(f"  {ident(facade)} -. opens by name .-> {ident(engine)}")
    cyc = circles(internal_graph(e for e in edges(root) if e.source.startswith(package)))
    lines.append(f"  %% circles: {len(cyc)}" + "".join(f"; {' ↔ '.join(c)}" for c in cyc))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", default="indexer")
    parser.add_argument("--collapse", action="append", help="a subpackage drawn as one box (default: each engine)")
    parser.add_argument("--root", type=Path, default=ROOT, help="another checkout (e.g. a git worktree of main)")
    args = parser.parse_args(argv)
    print(mermaid(args.package, tuple(args.collapse) if args.collapse else None, args.root))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
