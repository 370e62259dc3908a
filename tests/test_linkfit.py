"""The kept fit of the link scores (archive/linkfit.py): stored and read back it scores as fitted, notices added,
changed or removed one at a time are linked incrementally exactly as a relink of the whole archive with the same
fit would link them, and a full relink fits again once the changes reach REFIT_SHARE."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archive import linkfit
from archive.database import Archive
from archive.kinds import DocType
from archive.linking import Scorer
from archive.linktypes import LinkOptions
from archive.links import all_pairs, correct, derive, plan_units, refresh
from archive.pipeline import ingest
from archive.units import Correction
from xuncha.settings import Settings

ROUND = Path(__file__).resolve().parent / "fixtures" / "links-r14"


def test_a_stored_fit_scores_and_classifies_as_the_one_fitted(settings: Settings) -> None:
    with Archive.open(settings.db_path) as a:
        ingest(a, settings.ingest_options(), [str(ROUND)])
        problems = a.link_problems()
    fitted = Scorer(problems)
    again = Scorer(problems, fit=linkfit.loads(linkfit.dumps(fitted.fit)))
    ids = [p.id for p in problems]
    assert again.kinds == fitted.kinds and len(set(fitted.kinds.values())) > 3
    assert [again.scores(i, ids) for i in ids[:20]] == [fitted.scores(i, ids) for i in ids[:20]]
    assert again.related == fitted.related and fitted.related


@pytest.mark.parametrize("body", [b"", b"not zlib", linkfit.zlib.compress(b"[1, 2]"),
                                  linkfit.zlib.compress(b'{"format": 99}')])
def test_a_body_that_is_no_fit_is_refused(body: bytes) -> None:
    with pytest.raises(ValueError):
        linkfit.loads(body)


def test_drift_counts_the_problems_added_changed_and_removed_since_the_fit(settings: Settings) -> None:
    with Archive.open(settings.db_path) as a:
        ingest(a, settings.ingest_options(), [str(ROUND)])
        f = linkfit.loads(a.link_fit()[1])
        hashes = a.notice_hashes()
        per_doc = {d: sum(1 for p in a.link_problems() if p.doc_id == d) for d in hashes}
    assert f.problems == sum(per_doc.values()) and f.basis == hashes
    assert f.drift(per_doc, hashes) == 0
    one, two = sorted(per_doc)[:2]
    assert f.drift({**per_doc, "new": 5}, {**hashes, "new": "h"}) == 5 / f.problems  # added
    assert f.drift({d: k for d, k in per_doc.items() if d != one}, hashes) == per_doc[one] / f.problems  # removed
    assert f.drift(per_doc, {**hashes, two: "other"}) == 2 * per_doc[two] / f.problems  # changed: out and in


def _same_as_a_relink_with_the_kept_fit(a: Archive) -> None:
    """What the archive stores equals what linking all of it with the stored fit gives."""
    problems = a.link_problems()
    hashes = a.notice_hashes()
    kept = linkfit.loads(a.link_fit()[1]).current({p.id: p.doc_id for p in problems}, hashes)
    scorer = Scorer(problems, LinkOptions(), kept)
    placements = plan_units(a.documents_of_type(DocType.NOTICE), a.unit_corrections())
    pairs, _ = all_pairs(scorer, placements, problems)
    assert [(p.a, p.b, p.score) for p in pairs] == sorted(a.scored_pairs())
    links, groups = derive(pairs, placements, problems, scorer)
    assert sorted((l.kind, l.a, l.b, l.score, l.reason) for l in links) == \
        sorted((l.kind, l.a, l.b, l.score, l.reason) for l in a.problem_links())
    assert sorted(c.members for c in groups) == sorted(tuple(sorted(c.members)) for c in a.common_clusters())


def test_notices_added_one_at_a_time_link_as_the_whole_archive_would(settings: Settings, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linkfit, "REFIT_SHARE", 1.0)  # 14 notices: each new one is 7 % of them, a third in all
    src, late = tmp_path / "round", tmp_path / "late"
    shutil.copytree(ROUND, src)
    late.mkdir()
    files = sorted(src.glob("*.txt"))
    for f in files[-4:]:  # a unit's later rounds among them: recurring links to make
        shutil.move(f, late / f.name)
    with Archive.open(settings.db_path) as a:
        ingest(a, settings.ingest_options(), [str(src)])
        fitted = a.link_fit()
        recurring = len(a.problem_links("recurring"))
        for f in sorted(late.glob("*.txt")):
            one = tmp_path / f.stem
            one.mkdir()
            shutil.move(f, one / f.name)
            ingest(a, settings.ingest_options(), [str(one)])
            assert refresh(a).mode == "none"
            assert a.link_fit() == fitted  # incremental: the fit is kept
            _same_as_a_relink_with_the_kept_fit(a)
        assert len(a.problem_links("recurring")) > recurring
        # a notice changed in place: its problems are paired, scored and classified again, with the same fit
        changed = next((tmp_path / files[-1].stem).glob("*.txt"))
        changed.write_text(changed.read_text(encoding="gb18030").replace("。", "。另查明，", 1), encoding="gb18030")
        ingest(a, settings.ingest_options(), [str(changed.parent)])
        assert a.link_fit() == fitted
        _same_as_a_relink_with_the_kept_fit(a)


def test_a_full_relink_fits_again_once_the_changes_reach_the_share(settings: Settings, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "round"
    shutil.copytree(ROUND, src)
    last = sorted(src.glob("*.txt"))[-1]
    later = tmp_path / "later"
    later.mkdir()
    shutil.move(last, later / last.name)
    with Archive.open(settings.db_path) as a:
        ingest(a, settings.ingest_options(), [str(src)])
        fitted = a.link_fit()
        monkeypatch.setattr(linkfit, "REFIT_SHARE", 0.0)
        ingest(a, settings.ingest_options(), [str(later)])
        assert a.link_fit() != fitted and linkfit.loads(a.link_fit()[1]).basis == a.notice_hashes()
        _same_as_a_relink_with_the_kept_fit(a)
        assert refresh(a, full=True).mode == "full"


def test_units_split_and_merged_by_an_operator_relink_with_the_kept_fit(settings: Settings, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # a split makes the pairs of a unit's two rounds pairs of two units (kept only as any other pair would be);
    # the merge back makes them pairs of one unit's rounds again, scored down to the lowest bar
    monkeypatch.setattr(linkfit, "REFIT_SHARE", 1.0)
    with Archive.open(settings.db_path) as a:
        ingest(a, settings.ingest_options(), [str(ROUND)])
        fitted, before = a.link_fit(), sorted(a.scored_pairs())
        hospital = a.unit("洧湄县人民医院党委")
        assert hospital and len(hospital.documents) == 2
        split = correct(a, Correction("split", "洧湄县人民医院党委"), "tester")
        assert split.mode == "incremental" and a.link_fit() == fitted
        assert len(a.unit("洧湄县人民医院党委").documents) == 1
        assert len(a.scored_pairs()) < len(before)
        _same_as_a_relink_with_the_kept_fit(a)
        merged = correct(a, Correction("merge", "中共洧湄县人民医院委员会", "洧湄县人民医院党委"), "tester")
        assert merged.mode == "incremental" and merged.pairs > 0 and a.link_fit() == fitted
        _same_as_a_relink_with_the_kept_fit(a)
        assert sorted(a.scored_pairs()) == before


def _notice(unit: str, problems: list[str]) -> str:
    lines = [f"中共示例{unit}关于区委第二轮巡察整改情况的通报",
             f"根据区委统一部署，2021年3月1日至4月30日，区委第二轮巡察第一巡察组对{unit}进行了巡察。"
             f"2021年6月1日，区委第一巡察组向{unit}反馈了巡察意见。现将整改情况予以公布。",
             "一、整改工作开展情况", "成立整改工作领导小组，逐条制定整改措施。", "二、巡察反馈问题整改落实情况",
             "（一）关于作风建设方面问题的整改落实情况"]
    lines += [f"{k}.{t}" for k, t in enumerate(problems, 1)]
    return "\n".join(lines) + "\n"


def test_a_merge_that_adds_no_pair_still_clusters_the_merged_units_again(settings: Settings, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # two units of one round share a fault: a common problem of two units. Merged, they are one unit of one round
    # (no pair of two rounds is added, no pair dropped), and the common problem is gone
    monkeypatch.setattr(linkfit, "REFIT_SHARE", 1.0)
    src = tmp_path / "two"
    src.mkdir()
    shared = "针对公务接待无公函、超标准安排陪餐的问题。已清退超标准接待费用，严格执行公函接待制度。"
    (src / "合成甲.txt").write_text(_notice("区合成甲局党组", [shared, "针对档案室漏雨的问题。已维修屋顶。"]), encoding="utf-8")
    (src / "合成乙.txt").write_text(_notice("区合成乙局党组", [shared, "针对食堂卫生不达标的问题。已整改。"]), encoding="utf-8")
    with Archive.open(settings.db_path) as a:
        ingest(a, settings.ingest_options(), [str(src)])
        mine = {d.id for d in a.documents() if Path(d.source_path).name.startswith("合成")}
        assert [sorted({m.rsplit("-", 1)[0] for m in c.members}) for c in a.common_clusters()] == [sorted(mine)]
        pairs = sorted(a.scored_pairs())
        report = correct(a, Correction("merge", "区合成甲局党组", "区合成乙局党组"), "tester")
        assert report.mode == "incremental" and sorted(a.scored_pairs()) == pairs  # no pair added or dropped
        assert a.common_clusters() == ()
        _same_as_a_relink_with_the_kept_fit(a)
