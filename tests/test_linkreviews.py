"""Inspectors' reviews of recurring links (archive/linkreviews.py, links.review, pairlinks.recurring): a rejected link
is gone and stays gone across relinks and re-ingest, a confirmed pair is a link whatever its score and in place of
its problems' other links to each other's round, a review whose titles changed no longer holds, and a pair that is no
recurring pair is refused with the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archive.database import Archive
from archive.linkreviews import LinkReview, Review, Reviewed, holding, ordered
from archive.links import NotReviewable, refresh, review, reviews_in_force, state_key
from archive.linktypes import LinkOptions
from archive.pipeline import ingest
from xuncha.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "links"
BEFORE, REVISIT = "乙-2020-卫健局-整改情况", "乙-2023-卫健局-回头看"  # the health bureau's round, then its 回头看


def _pid(archive: Archive, name: str, number: int) -> str:
    doc = next(d for d in archive.documents() if Path(d.source_path).name.startswith(name))
    return next(p.id for c in archive.notice_tree(doc.id) for p in c.problems if p.number == number)


def _recurring(archive: Archive) -> set[tuple[str, str]]:
    return {(l.a, l.b) for l in archive.problem_links("recurring")}


@pytest.fixture
def src(tmp_path: Path) -> Path:
    out = tmp_path / "links"
    shutil.copytree(FIXTURES, out)
    return out


@pytest.fixture
def linked(settings: Settings, src: Path) -> Archive:
    a = Archive.open(settings.db_path)
    ingest(a, settings.ingest_options(), [str(src)])
    yield a
    a.close()


def test_holding_keeps_only_reviews_whose_problems_and_titles_are_as_reviewed() -> None:
    same = LinkReview("d1-p1", "d2-p1", Review.SAME, "公车私用", "公车私用问题反弹", "alice", "2026-01-01")
    gone = LinkReview("d1-p2", "d2-p2", Review.DIFFERENT, "档案不全", "档案信息不一致", "alice", "2026-01-01")
    moved = LinkReview("d1-p3", "d2-p3", Review.DIFFERENT, "发展党员程序", "发展党员培养", "bob", "2026-01-02")
    titles = {"d1-p1": "公车私用", "d2-p1": "公车私用问题反弹", "d1-p3": "发展党员程序", "d2-p3": "另一个问题"}
    assert holding([same, gone, moved], titles) == Reviewed(frozenset({("d1-p1", "d2-p1")}), frozenset())
    assert not gone.holds(titles) and not moved.holds(titles) and same.holds(titles)
    assert ordered("b", "a") == ("a", "b") == ordered("a", "b")
    assert same.to_json() == {"a": "d1-p1", "b": "d2-p1", "verdict": "same", "user": "alice", "at": "2026-01-01"}


def test_a_review_changes_the_state_key_and_none_keeps_the_old_one() -> None:
    hashes, options = {"d1": "h1"}, LinkOptions()
    r = LinkReview("d1-p1", "d2-p1", Review.SAME, "x", "y", "alice", "t")
    assert state_key(hashes, (), options) == state_key(hashes, (), options, ())
    assert state_key(hashes, (), options, (r,)) != state_key(hashes, (), options)
    other = LinkReview("d1-p1", "d2-p1", Review.DIFFERENT, "x", "y", "alice", "t")
    assert state_key(hashes, (), options, (r,)) != state_key(hashes, (), options, (other,))


def test_a_rejected_link_is_gone_and_stays_gone_across_relink_and_reingest(linked: Archive, settings: Settings,
                                                                          src: Path) -> None:
    early, late = _pid(linked, BEFORE, 2), _pid(linked, REVISIT, 1)  # 公车私用 → 公车私用问题整改不彻底
    assert (early, late) in _recurring(linked)
    review(linked, late, early, Review.DIFFERENT, "alice")  # either order names the pair
    assert (early, late) not in _recurring(linked)
    assert linked.link_review(early, late).verdict is Review.DIFFERENT
    refresh(linked, full=True)
    assert (early, late) not in _recurring(linked)
    ingest(linked, settings.ingest_options(), [str(src)], force=True)
    assert (early, late) not in _recurring(linked) and len(linked.link_reviews()) == 1
    review(linked, early, late, None, "alice")  # taken back: the matcher's link again
    assert (early, late) in _recurring(linked) and linked.link_reviews() == ()


def test_a_confirmed_pair_links_in_place_of_its_problems_other_links(linked: Archive) -> None:
    cars, members = _pid(linked, BEFORE, 2), _pid(linked, BEFORE, 1)  # 公车私用, 发展党员
    back = _pid(linked, REVISIT, 1)  # the 回头看's 公车私用 finding
    assert (cars, back) in _recurring(linked) and (members, back) not in _recurring(linked)
    review(linked, members, back, Review.SAME, "alice")  # a reviewer's call, whatever the score says
    links = {(l.a, l.b): l for l in linked.problem_links("recurring")}
    assert (members, back) in links and (cars, back) not in links  # one link a round for the later problem
    assert "经人工核定为同一问题" in links[(members, back)].reason
    review(linked, members, back, None, "alice")
    assert (cars, back) in _recurring(linked) and (members, back) not in _recurring(linked)


def test_a_review_no_longer_holds_once_a_title_changed(linked: Archive, settings: Settings, src: Path) -> None:
    early, late = _pid(linked, BEFORE, 2), _pid(linked, REVISIT, 1)
    review(linked, early, late, Review.DIFFERENT, "alice")
    path = next(src.glob(f"{REVISIT}*"))
    text = path.read_text(encoding="utf-8")
    title = next(p.title for p in linked.link_problems() if p.id == late)
    assert title in text
    path.write_text(text.replace(title, title.replace("节假日", "节假日和周末")), encoding="utf-8")
    ingest(linked, settings.ingest_options(), [str(src)])
    (kept,) = linked.link_reviews()
    titles = {p.id: p.title for p in linked.link_problems()}
    assert not kept.holds(titles)  # kept, shown as stale (`xuncha link list`), not applied
    assert reviews_in_force(linked) == [(kept, False)]
    assert (early, late) in _recurring(linked)


def test_a_confirmed_pair_no_longer_of_one_unit_is_not_applied(linked: Archive, settings: Settings,
                                                                src: Path) -> None:
    members, back = _pid(linked, BEFORE, 1), _pid(linked, REVISIT, 1)
    review(linked, members, back, Review.SAME, "alice")
    assert reviews_in_force(linked)[0][1] and (members, back) in _recurring(linked)
    path = next(src.glob(f"{REVISIT}*"))  # the 回头看 now names another bureau: a unit of its own, titles as they were
    path.write_text(path.read_text(encoding="utf-8").replace("卫生健康局", "医疗保障局"), encoding="utf-8")
    ingest(linked, settings.ingest_options(), [str(src)])
    assert _pid(linked, REVISIT, 1) == back and reviews_in_force(linked)[0][1] is False
    assert (members, back) not in _recurring(linked)


def test_a_second_confirmation_of_one_problem_to_one_round_is_refused(linked: Archive) -> None:
    cars, members = _pid(linked, BEFORE, 2), _pid(linked, BEFORE, 1)
    back = _pid(linked, REVISIT, 1)
    review(linked, members, back, Review.SAME, "alice")
    with pytest.raises(NotReviewable, match="confirmed the same fault as .* clear that review first"):
        review(linked, cars, back, Review.SAME, "bob")
    assert [(r.a, r.b) for r in linked.link_reviews()] == [tuple(sorted((members, back)))]
    review(linked, cars, back, Review.DIFFERENT, "bob")  # a rejection conflicts with nothing
    with pytest.raises(NotReviewable, match="no review of"):
        review(linked, cars, members, None, "bob")


def test_only_two_problems_of_one_units_two_rounds_are_reviewed(linked: Archive) -> None:
    a, b = _pid(linked, BEFORE, 1), _pid(linked, BEFORE, 2)
    with pytest.raises(NotReviewable, match="one round"):
        review(linked, a, b, Review.SAME, "alice")
    other_unit = _pid(linked, "甲-2019-财政局-整改情况", 1)
    with pytest.raises(NotReviewable, match="one unit"):
        review(linked, a, other_unit, Review.SAME, "alice")
    with pytest.raises(NotReviewable, match="no problem"):
        review(linked, a, "nope-p1", Review.DIFFERENT, "alice")
    with pytest.raises(NotReviewable, match="twice"):
        review(linked, a, a, Review.SAME, "alice")
    assert linked.link_reviews() == ()
