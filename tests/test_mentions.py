"""《…》 that are not regulations (books, articles, speeches, films, plans) are mentions of kind other: one
classification (citations.mention_kind) for the cross-check (archive/mentions.py), the stats and the exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.citations import mention_kind
from archive.kinds import CitationStatus, MentionKind
from archive.mentions import as_mention
from archive.resolve import Resolution
from tests.ops_helpers import make_app
from xuncha.cli import main
from xuncha.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
REG, OTHER = MentionKind.REGULATION, MentionKind.OTHER
# sample → every 《…》 it cites in its problems and measures, with its kind and the cross-check's outcome
SAMPLES = {
    "示例县教育局党组关于巡察整改情况的通报.txt": {
        "80多年前的开学季，这“三问”振聋发聩": (OTHER, "not_a_regulation"),
        "杨石先": (OTHER, "not_a_regulation"),
        "中小学教师违反职业道德行为处理办法": (REG, "not_in_archive"),
        "中国共产党纪律处分条例": (REG, "not_in_archive"),
        "国家人权行动计划(2021-2025年)": (OTHER, "not_a_regulation"),
        "示例县关于进一步规范教育收费的通知": (REG, "not_in_archive"),
    },
    "示例市青山区卫生健康局党组关于巡察整改进展情况的通报.txt": {
        "青山的回响": (OTHER, "not_a_regulation"),
        "在全区卫生健康系统警示教育大会上的讲话": (OTHER, "not_a_regulation"),
        "中国共产党章程": (REG, "not_in_archive"),
        "党政机关厉行节约反对浪费条例": (REG, "not_in_archive"),
        "示例市青山区卫生健康局公务接待管理办法": (REG, "internal"),
        "示例市青山区卫生健康事业发展规划(2021-2025年)": (OTHER, "not_a_regulation"),
        "关于推进紧密型县域医疗卫生共同体建设的指导意见": (REG, "not_in_archive"),
    },
}


@pytest.mark.parametrize(("title", "kind"), [
    ("80多年前的开学季，这“三问”振聋发聩", OTHER), ("杨石先", OTHER), ("国家人权行动计划（2021-2025年）", OTHER),
    ("习作选编", OTHER), ("工作方法", OTHER), ("党员干部学习手册", OTHER), ("在全县干部大会上的讲话", OTHER),
    ("中国共产党纪律处分条例", REG), ("中华人民共和国政府采购法", REG), ("中华人民共和国民法典", REG),
    ("政府采购法实施条例(2015年修订)", REG), ("党政机关国内公务接待管理规定", REG), ("机关事务管理办法（试行）", REG),
    ("实施细则", REG), ("廉洁自律准则", REG), ("党组议事规则", REG), ("谈心谈话制度", REG), ("档案工作规范", REG),
    ("关于加强作风建设的意见", REG), ("关于规范收费的通知", REG), ("关于全面推进依法治国若干重大问题的决定", REG),
    ("整改工作方案", REG), ("中国共产党章程", REG), ("党章", REG),
])
def test_mention_kind_by_name(title: str, kind: MentionKind) -> None:
    assert mention_kind(title) is kind


def test_a_title_the_archive_holds_is_a_regulation_whatever_its_name() -> None:
    assert mention_kind("示例市档案工作指南", lambda t: t == "示例市档案工作指南") is REG
    assert mention_kind("示例市档案工作指南", lambda t: False) is OTHER


def test_cross_check_outcome_under_the_one_classification() -> None:
    missing = Resolution(CitationStatus.NOT_IN_ARCHIVE, "档案中没有这部法规")
    assert as_mention(missing, "杨石先").status is CitationStatus.NOT_A_REGULATION
    assert as_mention(missing, "中国共产党纪律处分条例") is missing
    # resolve.py calls a 通知 or an 意见 no regulation: by the one classification it is one the archive lacks
    notice = Resolution(CitationStatus.NOT_A_REGULATION, "计划、报告、通知等文件，不是法规")
    assert as_mention(notice, "关于规范收费的通知").status is CitationStatus.NOT_IN_ARCHIVE
    assert as_mention(notice, "国家人权行动计划(2021-2025年)") is notice
    for kept in (CitationStatus.RESOLVED, CitationStatus.AMBIGUOUS, CitationStatus.INTERNAL):
        r = Resolution(kept, "…")
        assert as_mention(r, "杨石先") is r


@pytest.fixture
def ingested(runner: CliRunner, tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    paths = {}
    for name in SAMPLES:
        paths[name] = folder / name
        paths[name].write_bytes((FIXTURES / name).read_bytes())
    result = runner.invoke(main, ["ingest", "--no-index", str(folder)])
    assert result.exit_code == 0, result.output
    return paths


def test_samples_cross_checked_by_the_cli(runner: CliRunner, ingested: dict[str, Path]) -> None:
    for name, expected in SAMPLES.items():
        out = runner.invoke(main, ["check", "--json", "--suggest", "0", str(ingested[name])])
        assert out.exit_code == 0, out.output
        statuses = {c["title"]: c["status"] for c in json.loads(out.stdout)["citations"]}
        assert statuses == {t: s for t, (_, s) in expected.items()}
        assert {t: mention_kind(t) for t in statuses} == {t: k for t, (k, _) in expected.items()}


def test_stats_list_regulations_only(ingested: dict[str, Path], settings: Settings) -> None:
    client = make_app(settings).test_client()
    data = client.get("/api/stats").get_json()
    regulations = {t for sample in SAMPLES.values() for t, (k, _) in sample.items() if k is REG}
    others = {t for sample in SAMPLES.values() for t, (k, _) in sample.items() if k is OTHER}
    assert {c["title"] for c in data["cited_regulations"]} == regulations
    assert {c["title"] for c in data["cited_articles"]} == {"中小学教师违反职业道德行为处理办法", "中国共产党纪律处分条例",
                                                          "中国共产党章程", "党政机关厉行节约反对浪费条例"}
    # the others are still there, as what the cross-check says they are
    assert {u["title"] for u in data["unresolved"] if u["status"] == "not_a_regulation"} == others
    page = client.get("/stats").get_data(as_text=True)
    chart = page[page.index('id="cited-regulations"'):page.index('id="cited-articles"')]
    assert "中国共产党纪律处分条例" in chart and "关于推进紧密型县域医疗卫生共同体建设的指导意见" in chart
    for title in others:
        assert title not in chart


def test_working_paper_export_uses_the_same_classification(runner: CliRunner, ingested: dict[str, Path],
                                                            settings: Settings) -> None:
    import csv
    import io

    client = make_app(settings).test_client()
    labels = {"not_a_regulation": "非法规文件", "not_in_archive": "未收录", "internal": "单位内部制度"}
    for name, expected in SAMPLES.items():
        doc_id = json.loads(runner.invoke(main, ["show", "--json", str(ingested[name])]).stdout)["id"]
        resp = client.get(f"/doc/{doc_id}/check.csv")
        assert resp.status_code == 200
        rows = list(csv.DictReader(io.StringIO(resp.data.decode("utf-8-sig"))))
        got = {r["引用文件"]: r["核查结果"] for r in rows if r["引用文件"] != "（未引用）"}
        assert got == {f"《{t}》": labels[s] for t, (_, s) in expected.items()}
