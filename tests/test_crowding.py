"""crowd(): a problem's measures do not fill the top of a ranking."""

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
