"""党内法规 end to end (issue 33): the party/ samples ingested with the CLI, a notice's citations resolved to the
version in force on its date, 《条例》 after a full mention, and the 党内法规 facet in search."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.database import Archive
from archive.kinds import DocType
from archive.rulenames import PARTY_LEVEL
from tests.conftest import SAMPLES, SHARED
from xuncha.cli import main
from xuncha.settings import Settings

PARTY = SAMPLES / "party"
# two notices of one unit citing the party/ samples, dated between the 2018 and 2023 versions of the
# 纪律处分条例 (2021) and after the 2023 one took effect (2024); the cross-check's tests may use them too
NOTICES = Path(__file__).parent / "fixtures" / "party"


@pytest.fixture
def party_home(runner: CliRunner) -> dict[str, Path]:
    paths = {year: NOTICES / f"示例区机关事务服务中心党组关于{year}年巡察整改情况的通报.txt" for year in ("2021", "2024")}
    result = runner.invoke(main, ["ingest", str(PARTY), str(NOTICES)])
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output and "documents: 2 notice, 5 regulation" in result.output
    return paths


def _check(runner: CliRunner, notice: Path) -> dict[tuple[str, str | None], dict]:
    result = runner.invoke(main, ["check", "--json", "--suggest", "0", str(notice)])
    assert result.exit_code == 0, result.output
    return {(c["title"], c["article"]): c for c in json.loads(result.output)["citations"]}


def _article_text(settings: Settings, article_id: str) -> str:
    with Archive.open(settings.db_path) as a:
        return a.unit_texts([article_id])[article_id]


def test_party_rules_are_regulations_with_level_issuer_and_versions(party_home: dict, settings: Settings) -> None:
    with Archive.open(settings.db_path) as a:
        regs = a.documents_of_type(DocType.REGULATION)
        assert {d.category for d in regs} == {PARTY_LEVEL}
        by_title = {(d.title, d.version): d for d in regs}
        old = by_title[("中国共产党示例纪律处分条例", "2018-08-26")]
        assert (old.issuer, old.effective) == ("中共中央", "2018-10-01")
        assert by_title[("示例八项规定实施细则", "2017-10-27")].issuer == "中共中央办公厅"
        zhunze = by_title[("中国共产党示例廉洁自律准则", "2015-10-18")]
        assert [x.label for x in a.articles(zhunze.id)] == [f"{n}、" for n in "一二三四五六七八"]
        assert [(e.version, str(s)) for e, s in a.versions_of(old)] == [("2018-08-26", "已修订"),
                                                                        ("2023-12-19", "现行有效")]
        entry = next(e for e in a.regulations if e.id == old.id)
        assert (entry.level, entry.issuer, entry.in_force_from) == (PARTY_LEVEL, "中共中央", "2018-10-01")


def test_citations_resolve_to_the_version_in_force_on_the_notice_date(party_home: dict, runner: CliRunner,
                                                                     settings: Settings) -> None:
    full = "中国共产党示例纪律处分条例"
    for year, version, article7 in (("2021", "2018-08-26", "公款大吃大喝"), ("2024", "2023-12-19", "电子红包")):
        cits = _check(runner, party_home[year])
        # 《纪律处分条例》第八条: the name notices use, in the version in force on the notice's date
        short = cits[("纪律处分条例", "第八条")]
        assert short["status"] == "resolved" and short["regulation"]["version"] == version, short
        assert short["regulation"]["title"] == full and short["article_label"] == "第八条"
        # 《条例》第七条 after the full mention: the previously named rule, same version
        bare = cits[(full, "第七条")]
        assert bare["regulation"]["version"] == version and article7 in _article_text(settings, bare["article_id"])
        assert not any(t == "条例" for t, _ in cits)
        for title in ("八项规定实施细则", "巡视工作条例", "廉洁自律准则"):
            c = next(c for (t, _), c in cits.items() if t == title)
            assert c["status"] == "resolved" and c["article_id"], c


def test_the_party_level_is_a_search_facet(party_home: dict, runner: CliRunner) -> None:
    result = runner.invoke(main, ["search", "公务用车", "--json"])
    assert result.exit_code == 0, result.output
    facets = json.loads(result.output)["facets"]
    assert {"value": PARTY_LEVEL, "count": 3} in facets["reg_category"]
    only = runner.invoke(main, ["search", "公务用车", "--json", "--filter", f"reg_category={PARTY_LEVEL}"])
    hits = json.loads(only.output)["hits"]
    assert hits and all(h["doc_title"].startswith(("中国共产党示例", "示例八项")) for h in hits)


def test_an_uploaded_zhunze_outside_party_is_a_party_rule(runner: CliRunner, settings: Settings,
                                                          tmp_path: Path) -> None:
    upload = tmp_path / "uploads" / "中国共产党示例廉洁自律准则.md"
    upload.parent.mkdir()
    upload.write_text((PARTY / "中国共产党示例廉洁自律准则(2015-10-18).md").read_text(encoding="utf-8"),
                      encoding="utf-8")
    result = runner.invoke(main, ["ingest", "--no-index", str(upload)])
    assert result.exit_code == 0 and "1 regulation" in result.output, result.output
    with Archive.open(settings.db_path) as a:
        (doc,) = a.documents_of_type(DocType.REGULATION)
        assert doc.category == PARTY_LEVEL and len(a.articles(doc.id)) == 8


def test_serve_ingests_the_party_samples(runner: CliRunner, settings: Settings) -> None:
    # `make serve` ingests corpus/: the party/ folder is inside it, and every rule there is a Party rule
    assert PARTY.parent == SAMPLES
    samples = sorted(PARTY.glob("*.md"))
    result = runner.invoke(main, ["ingest", "--no-index", str(SAMPLES)])
    assert result.exit_code == 0 and " 0 failed" in result.output, result.output
    with Archive.open(settings.db_path) as a:
        party = [d for d in a.documents_of_type(DocType.REGULATION) if d.category == PARTY_LEVEL]
        assert sorted(Path(d.source_path).name for d in party) == [p.name for p in samples]


@pytest.mark.skipif(not (SHARED / "party").is_dir(), reason=f"{SHARED / 'party'} not found (the real 党内法规 "
                    "are not in ../shared/corpus yet)")
def test_real_party_rules_ingest(runner: CliRunner, settings: Settings) -> None:
    result = runner.invoke(main, ["ingest", "--no-index", str(SHARED / "party")])
    assert " 0 failed" in result.output, result.output
    with Archive.open(settings.db_path) as a:
        regs = a.documents_of_type(DocType.REGULATION)
        assert regs and all(d.category == PARTY_LEVEL for d in regs)
        assert sum(1 for d in regs if a.articles(d.id)) == len(regs)


def test_only_a_party_folder_below_the_ingested_one_counts(runner: CliRunner, settings: Settings,
                                                           tmp_path: Path) -> None:
    # a checkout that happens to sit in a folder named party holds no Party rules for that
    laws = tmp_path / "party" / "corpus" / "regulations"
    laws.mkdir(parents=True)
    law = next((SAMPLES / "regulations").glob("示例市党政机关公务用车管理办法(2019-03-01).md"))
    (laws / law.name).write_bytes(law.read_bytes())
    below = tmp_path / "party" / "corpus" / "party"
    below.mkdir()
    rule = PARTY / "示例八项规定实施细则(2017-10-27).md"
    (below / rule.name).write_bytes(rule.read_bytes())
    result = runner.invoke(main, ["ingest", "--no-index", str(tmp_path / "party" / "corpus")])
    assert result.exit_code == 0, result.output
    with Archive.open(settings.db_path) as a:
        assert {d.title: d.category for d in a.documents_of_type(DocType.REGULATION)} == {
            "示例市党政机关公务用车管理办法": None, "示例八项规定实施细则": PARTY_LEVEL}


def test_a_trial_text_and_its_final_text_are_one_version_chain(runner: CliRunner, settings: Settings,
                                                               tmp_path: Path) -> None:
    party = tmp_path / "party"
    party.mkdir()
    text = (PARTY / "中国共产党示例巡视工作条例(2017-07-01).md").read_text(encoding="utf-8")
    (party / "中国共产党示例巡视工作条例（试行）(2009-07-02).md").write_text(
        text.replace("# 中国共产党示例巡视工作条例", "# 中国共产党示例巡视工作条例（试行）"), encoding="utf-8")
    (party / "中国共产党示例巡视工作条例(2017-07-01).md").write_text(text, encoding="utf-8")
    assert runner.invoke(main, ["ingest", "--no-index", str(party)]).exit_code == 0
    with Archive.open(settings.db_path) as a:
        trial = next(d for d in a.documents_of_type(DocType.REGULATION) if d.version == "2009-07-02")
        assert [(e.version, str(s)) for e, s in a.versions_of(trial)] == [("2009-07-02", "已修订"),
                                                                          ("2017-07-01", "现行有效")]
