"""`xuncha check` on the sample notices: citations resolved to the right version and article."""

import json

from xuncha.cli import main
from tests.conftest import SAMPLES


def _check(runner, name: str) -> dict:
    runner.invoke(main, ["ingest", str(SAMPLES)])
    out = runner.invoke(main, ["check", str(SAMPLES / "notices" / name), "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def test_check_json_shape_and_versions(runner) -> None:
    data = _check(runner, "示例区城市管理局党组关于巡察整改情况的通报.txt")
    assert {"doc_id", "citations", "measures"} <= data.keys()
    for c in data["citations"]:
        assert {"title", "article", "problem", "measure", "status", "reason", "regulation", "candidates"} <= c.keys()
        assert c["status"] in {"resolved", "not_in_archive", "ambiguous", "not_a_regulation", "internal"}
    car = [c for c in data["citations"] if c["title"] == "示例市党政机关公务用车管理办法"]
    assert car and car[0]["regulation"]["version"] == "2022-06-15" and car[0]["article_label"] == "第十二条"
    statuses = {c["title"]: c["status"] for c in data["citations"]}
    assert statuses["示例区城管局采购管理制度"] == "internal"
    assert statuses["示例市城市管理精细化提升行动计划(2021—2025年)"] == "not_a_regulation"
    assert statuses["党政机关厉行节约反对浪费条例"] == "not_in_archive"
    m = data["measures"][0]
    assert {"problem", "measure", "figures", "suggested"} <= m.keys()
    assert any(s["article"] for m in data["measures"] for s in m["suggested"])


def test_older_notice_gets_older_version(runner) -> None:
    data = _check(runner, "示例镇党委关于巡察整改情况的通报.txt")
    car = [c for c in data["citations"] if c["title"] == "示例市党政机关公务用车管理办法"]
    assert car and car[0]["regulation"]["version"] == "2019-03-01"


def test_suggestions_meet_the_regulations_wording(runner) -> None:
    data = _check(runner, "示例区城市管理局党组关于巡察整改情况的通报.txt")
    sanzhong = [m for m in data["measures"] if "20万元" in m["text"]]
    assert sanzhong
    titles = {(s["doc_title"], s["article"]) for m in sanzhong for s in m["suggested"]}
    assert any("议事规则" in t or "内部控制" in t for t, _ in titles)
    assert any("<mark>" in s["snippet"] for m in sanzhong for s in m["suggested"])


def test_check_refuses_a_regulation(runner) -> None:
    runner.invoke(main, ["ingest", str(SAMPLES)])
    out = runner.invoke(main, ["check", str(SAMPLES / "regulations" / "示例区党组议事规则(2019-05-20).md")])
    assert out.exit_code == 1 and "not a notice" in out.output


def test_check_text_report(runner) -> None:
    runner.invoke(main, ["ingest", str(SAMPLES)])
    out = runner.invoke(main, ["check", str(SAMPLES / "notices" / "示例区城市管理局党组关于巡察整改情况的通报.txt")])
    assert out.exit_code == 0 and "引用核查" in out.output and "未引用" in out.output


def test_a_measure_with_nothing_above_the_threshold_abstains(runner, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`suggested: []` with the abstention said, in the JSON and the text report; each measure has a fault kind."""
    from indexer import suggest as S

    monkeypatch.setattr(S, "THRESHOLD", 1.01)  # no calibrated score reaches it
    data = _check(runner, "示例区城市管理局党组关于巡察整改情况的通报.txt")
    assert data["measures"]
    for m in data["measures"]:
        assert m["suggested"] == [] and m["abstained"] is True
        assert m["suggestion_note"] == "未找到把握较大的对照条文"
        assert m["fault_kind"]
    text = runner.invoke(main, ["check", str(SAMPLES / "notices" / "示例区城市管理局党组关于巡察整改情况的通报.txt")])
    assert "未找到把握较大的对照条文" in text.output


def test_kept_suggestions_carry_their_reasons_and_kinds(runner, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from indexer import suggest as S

    monkeypatch.setattr(S, "THRESHOLD", 0.0)
    data = _check(runner, "示例区城市管理局党组关于巡察整改情况的通报.txt")
    kinds = {m["fault_kind"] for m in data["measures"]}
    assert {"公务接待", "公车"} & kinds, kinds
    shown = [s for m in data["measures"] for s in m["suggested"]]
    assert shown and all(s["reason"].startswith("问题类型：") and 0 <= s["score"] <= 1 for s in shown)
    assert not any(m["abstained"] for m in data["measures"] if m["suggested"])


def test_the_check_page_says_when_a_measure_has_no_suggestion(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """On the page: an abstaining measure shows 未找到把握较大的对照条文, a suggested article its reason."""
    from archive.database import Archive
    from indexer import suggest as S
    from tests.conftest import CITY, build_archive
    from webui import create_app

    settings = build_archive(tmp_path / "home", [str(SAMPLES)])
    with Archive.open(settings.db_path) as a:
        doc = a.document(str(CITY))
    assert doc is not None
    monkeypatch.setattr(S, "THRESHOLD", 1.01)
    app = create_app(settings)
    app.config.update(TESTING=True)
    html = app.test_client().get(f"/doc/{doc.id}/check").get_data(as_text=True)
    assert html.count("未找到把握较大的对照条文") >= 5 and 'class="suggest"' not in html
