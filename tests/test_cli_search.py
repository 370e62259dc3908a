"""`xuncha reindex` and `xuncha search` driven as a user drives them."""

import json

from xuncha.cli import main
from tests.conftest import SAMPLES


def test_ingest_indexes_then_search_json(runner) -> None:
    result = runner.invoke(main, ["ingest", str(SAMPLES)])
    assert result.exit_code == 0, result.output
    assert "index: full (no index yet)" in result.output
    out = runner.invoke(main, ["search", "公车私用", "--json", "--limit", "5"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {"total", "hits", "facets"} <= data.keys() and data["total"] > 0
    hit = data["hits"][0]
    for key in ("id", "kind", "doc_id", "doc_title", "doc_type", "source_path", "article", "problem", "measure",
                "score", "snippet"):
        assert key in hit
    assert hit["source_path"].startswith(str(SAMPLES))
    art = json.loads(runner.invoke(main, ["search", "公务用车", "--kind", "article", "--type", "regulation",
                                          "--json"]).output)
    assert art["hits"] and all(h["kind"] == "article" and h["article"].startswith("第") for h in art["hits"])
    meas = json.loads(runner.invoke(main, ["search", "三重一大", "--kind", "measure", "--json"]).output)
    assert meas["hits"] and all(isinstance(h["problem"], int) and isinstance(h["measure"], int) for h in meas["hits"])


def test_readable_output_and_errors(runner) -> None:
    runner.invoke(main, ["ingest", str(SAMPLES)])
    out = runner.invoke(main, ["search", "公务接待"])
    assert out.exit_code == 0 and "hits" in out.output and "id=" in out.output
    long = runner.invoke(main, ["search", "字" * 500])
    assert long.exit_code == 1 and "limit" in long.output and "hint" in long.output
    bad = runner.invoke(main, ["search", "x", "--filter", "nope=1"])
    assert bad.exit_code == 1 and "unknown filter" in bad.output
    few = json.loads(runner.invoke(main, ["search", "议事规则 公车", "--json"]).output)
    assert few["relaxed"] and few["full_matches"] > 0
    relaxed = runner.invoke(main, ["search", "议事规则 公车"])
    assert f"全部词同时出现的仅 {few['full_matches']} 条，已按“或”放宽" in relaxed.output


def test_search_without_index_says_what_to_do(runner) -> None:
    out = runner.invoke(main, ["search", "整改"])
    assert out.exit_code == 1 and "xuncha ingest" in out.output


def test_reindex_modes(runner) -> None:
    runner.invoke(main, ["ingest", "--no-index", str(SAMPLES)])
    assert "index: full" in runner.invoke(main, ["reindex", "--if-needed"]).output
    assert "up to date" in runner.invoke(main, ["reindex", "--if-needed"]).output
    assert "up to date" in runner.invoke(main, ["reindex"]).output

    full = runner.invoke(main, ["reindex", "--full"])
    assert full.exit_code == 0 and "documents/s" in full.output


def test_if_needed_leaves_changed_documents_to_plain_reindex(runner, tmp_path) -> None:
    runner.invoke(main, ["ingest", str(SAMPLES)])
    new = tmp_path / "示例新增通报.txt"
    new.write_text("示例单位关于巡察整改情况的通报\n一、整改情况\n甲乙丙丁独有词已整改。\n", encoding="utf-8")
    assert runner.invoke(main, ["ingest", "--no-index", str(new)]).exit_code == 0
    assert "up to date" in runner.invoke(main, ["reindex", "--if-needed"]).output
    assert json.loads(runner.invoke(main, ["search", "甲乙丙丁独有词", "--json"]).output)["total"] == 0
    assert "index: incremental" in runner.invoke(main, ["reindex"]).output
    assert json.loads(runner.invoke(main, ["search", "甲乙丙丁独有词", "--json"]).output)["total"] == 1


def test_recurring_and_common_filters_follow_the_links(runner, settings) -> None:
    """Issue 30: --filter recurring=yes / common=yes at the problem grain; after a relink, a plain reindex
    re-indexes the notices whose marks changed (their bytes did not) and the filter follows."""
    from archive.database import Archive
    from archive.linktypes import LinkOptions
    from archive.links import refresh

    runner.invoke(main, ["ingest", str(SAMPLES)])

    def ids(*filters: str) -> set[str]:
        args = ["search", "问题", "--kind", "problem", "--limit", "100", "--json"]
        for f in filters:
            args += ["--filter", f]
        out = runner.invoke(main, args)
        assert out.exit_code == 0, out.output
        return {h["id"] for h in json.loads(out.output)["hits"]}

    everything = ids()
    with Archive.open(settings.db_path) as a:
        members = {p for c in a.common_clusters() for p in c.members}
        assert ids("common=yes") == members & everything and members & everything
        assert ids("common=no") == everything - members
        refresh(a, LinkOptions(recurring=0.2, recurring_explicit=0.2))  # more recurring links than the defaults
        later = {l.b for l in a.problem_links("recurring")}
    assert later and not later <= ids("recurring=yes")  # the index has not seen the new links yet
    out = runner.invoke(main, ["reindex"])
    assert "incremental" in out.output, out.output
    assert ids("recurring=yes") == later & everything and later & everything
    assert ids("recurring=no", "common=yes") == (members - later) & everything
