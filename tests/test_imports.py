"""The import graph of archive/, indexer/, webui/ and xuncha/ (read with ast by tools/import_graph.py): no circle,
no module taking another's private names, whoosh only in its backend, every layer pointing one way."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("import_graph", ROOT / "tools" / "import_graph.py")
graph_tool = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
sys.modules["import_graph"] = graph_tool
_spec.loader.exec_module(graph_tool)  # type: ignore[union-attr]

# layer → the layers it must not import (webui → indexer → archive; xuncha, the CLI, on top)
FORBIDDEN = {"archive": ("indexer", "webui", "xuncha"), "indexer": ("webui", "xuncha"), "webui": ("xuncha",)}
WHOOSH_HOME = "indexer.backends.whoosh"
# modules that still take a Whoosh Searcher, each with why (docs/design/h-restr32.md, "What is left")
WHOOSH_PENDING: dict[str, str] = {}  # none left: indexer.suggest talks to SearchBackend (h-sug32)


@pytest.fixture(scope="module")
def edges():  # type: ignore[no-untyped-def]
    return graph_tool.edges(ROOT)


def _top(module: str) -> str:
    return module.split(".")[0]


def test_the_graph_sees_the_packages_and_their_imports(edges) -> None:
    sources = {e.source for e in edges}
    assert {"archive.database", "indexer.search", "indexer.backend", "webui.search", "xuncha.cli"} <= sources
    # relative, lazy and TYPE_CHECKING imports all count
    assert any(e.source == "indexer.search" and e.target == "indexer.backend" for e in edges)


def test_every_import_of_the_packages_names_a_module_that_exists(edges) -> None:
    """A module moved (indexer/build.py went into the Whoosh backend) leaves no import of its old path: one would
    fail only when its importer loads, and a stale installed copy of the package could even hide that."""
    gone = sorted({(e.source, e.target, e.line) for e in edges
                   if _top(e.target) in graph_tool.PACKAGES and not e.internal
                   and e.target not in graph_tool.PACKAGES and _top(e.target) != e.target})
    assert gone == []


def test_no_import_circles(edges) -> None:
    assert graph_tool.circles(graph_tool.internal_graph(edges)) == []


def test_the_circle_finder_finds_a_circle() -> None:
    assert graph_tool.circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_another_modules_private_names(edges) -> None:
    taken = [(e.source, e.target, n, e.line) for e in edges if e.internal and e.target != e.source
             for n in e.names if n.startswith("_") and not n.startswith("__")]
    assert taken == []


def test_whoosh_is_imported_only_by_its_backend(edges) -> None:
    outside = sorted({(e.source, e.line) for e in edges
                      if _top(e.target) == "whoosh" and not e.source.startswith(WHOOSH_HOME)
                      and e.source not in WHOOSH_PENDING})
    assert outside == []
    # and the pending ones are still pending (the list shrinks when one is rewritten)
    assert all(any(e.source == m and _top(e.target) == "whoosh" for e in edges) for m in WHOOSH_PENDING)


def test_layers_point_one_way(edges) -> None:
    wrong = sorted({(e.source, e.target, e.line) for e in edges
                    if _top(e.target) in FORBIDDEN.get(_top(e.source), ())})
    assert wrong == []


def test_above_the_engines_only_the_backends_facade_is_imported(edges) -> None:
    """webui/ and xuncha/ reach an engine through indexer.backends (open_backend, reindex, update, check), never
    an engine's own modules."""
    reaching = sorted({(e.source, e.target) for e in edges
                       if _top(e.source) in ("webui", "xuncha") and e.target.startswith("indexer.backends.")})
    assert reaching == []


def test_the_drawing_shows_the_interface_with_its_engines_and_no_circles() -> None:
    drawing = graph_tool.mermaid("indexer", root=ROOT)
    assert 'indexer_backend["backend"]' in drawing and "backends.whoosh/ (engine)" in drawing
    assert "%% circles: 0" in drawing
