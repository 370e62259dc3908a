"""crowd(): a problem's measures do not fill the top of a ranking."""

from hypothesis import given
from hypothesis import strategies as st

from indexer.crowding import Ranked, crowd, problem_of


def test_problem_of() -> None:
    assert problem_of(Ranked("d-p3", "problem", 1.0)) == "d-p3"
    assert problem_of(Ranked("d-p3-m12", "measure", 1.0)) == "d-p3"
    assert problem_of(Ranked("d-a3", "article", 1.0)) is None


def test_measures_of_a_shown_problem_move_below_other_units() -> None:
    hits = [Ranked("d-p3", "problem", 10.0), Ranked("d-p3-m1", "measure", 9.0), Ranked("d-p3-m2", "measure", 8.0),
            Ranked("e-a7", "article", 6.0), Ranked("d-p4", "problem", 5.5)]
    order = crowd(hits)
    assert [hits[i].id for i in order] == ["d-p3", "e-a7", "d-p4", "d-p3-m1", "d-p3-m2"]


def test_a_strong_measure_still_outranks_weak_units() -> None:
    hits = [Ranked("d-p3", "problem", 10.0), Ranked("d-p3-m1", "measure", 9.0), Ranked("e-a7", "article", 2.0)]
    assert [hits[i].id for i in crowd(hits)] == ["d-p3", "d-p3-m1", "e-a7"]


def test_only_the_window_moves_and_order_is_total() -> None:
    hits = [Ranked(f"d-p1-m{i}", "measure", 100.0 - i) for i in range(6)] + [Ranked("x-a1", "article", 99.5)]
    order = crowd(hits, window=3)
    assert sorted(order) == list(range(len(hits)))
    assert order[3:] == [3, 4, 5, 6]  # beyond the window: the engine's order
    assert [hits[i].id for i in order[:3]] == ["d-p1-m0", "d-p1-m1", "d-p1-m2"]


def test_empty() -> None:
    assert crowd([]) == []


def _reference(hits: list[Ranked], window: int) -> list[int]:
    """The rule as first written: rescan the window for the best adjusted score each time."""
    head, order, shown = list(range(min(window, len(hits)))), [], set()
    while head:
        def adjusted(i: int) -> float:
            p = problem_of(hits[i])
            return hits[i].score * (0.5 if p is not None and p in shown else 1.0)
        best = max(head, key=lambda i: (adjusted(i), -i))
        head.remove(best)
        order.append(best)
        if (p := problem_of(hits[best])) is not None:
            shown.add(p)
    return order + list(range(len(order), len(hits)))


@given(st.lists(st.tuples(st.sampled_from(["d-p1", "d-p1-m1", "d-p1-m2", "d-p2", "d-p2-m1", "e-a1", "e-a2"]),
                          st.integers(0, 8)), max_size=30), st.integers(0, 40))
def test_the_heap_gives_the_rescanning_order(spec: list[tuple[str, int]], window: int) -> None:
    hits = [Ranked(i, "article" if "-a" in i else "measure" if "-m" in i else "problem", float(s)) for i, s in spec]
    assert crowd(hits, window) == _reference(hits, window)
