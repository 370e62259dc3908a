"""The folders of the judged link pairs (benchmarks/quality/links: tests/fixtures/links, links-r4 … links-r15) parse
into exactly the problems they were judged as: a judged pair names its problems by file and ordinal (pool.py's
problem_key), so a parser change that moved a problem would silently re-label judged pairs. A change that means
to move them must re-judge the pairs it touches and then update this table."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from archive.database import Archive
from archive.kinds import DocType
from archive.links import plan_units
from archive.pipeline import ingest
from tests.conftest import ROOT
from xuncha.settings import load_settings

FOLDERS = ("links", "links-r4", "links-r5", "links-r6", "links-r7", "links-r8", "links-r9", "links-r10", "links-r11", "links-r12",
           "links-r13", "links-r14", "links-r15")
PROBLEMS = {
    "links-r15/litangcun-2019-rectification.txt": 6,
    "links-r15/litangcun-2024-rectification.txt": 6,
    "links-r15/ranqi-2020-rectification.md": 7,
    "links-r15/ranqi-2025-revisit.html": 7,
    "links-r15/rongmei-2022-rectification.txt": 8,
    "links-r15/rongmei-2025-revisit.txt": 6,
    "links-r15/shiyanzhong-2021-rectification.txt": 7,
    "links-r15/shiyanzhong-2022-progress.txt": 5,
    "links-r15/shiyanzhong-2024-rectification.html": 7,
    "links-r15/tuijunju-2020-progress.txt": 5,
    "links-r15/tuijunju-2020-rectification.txt": 8,
    "links-r15/tuijunju-2024-rectification.md": 7,
    "links-r15/yuban-2019-rectification.txt": 8,
    "links-r15/yuban-2025-revisit.md": 6,
    "links-r14/jiawancun-2020-rectification.txt": 6,
    "links-r14/jiawancun-2024-rectification.txt": 5,
    "links-r14/liangchu-2020-rectification.md": 8,
    "links-r14/liangchu-2025-revisit.html": 6,
    "links-r14/xiangping-2020-rectification.txt": 8,
    "links-r14/xiangping-2025-revisit.md": 5,
    "links-r14/xianyi-2021-rectification.txt": 8,
    "links-r14/xianyi-2025-revisit.txt": 6,
    "links-r14/zhizhong-2021-rectification.txt": 7,
    "links-r14/zhizhong-2022-progress.txt": 5,
    "links-r14/zhizhong-2024-rectification.html": 7,
    "links-r14/zhujianju-2019-rectification.txt": 8,
    "links-r14/zhujianju-2020-progress.txt": 5,
    "links-r14/zhujianju-2024-rectification.md": 8,
    "links-r12/chengtou-2020-rectification.txt": 7,
    "links-r12/chengtou-2025-revisit.html": 7,
    "links-r12/jiaotong-2019-rectification.txt": 7,
    "links-r12/jiaotong-2020-progress.txt": 2,
    "links-r12/jiaotong-2024-rectification.md": 6,
    "links-r12/juetang-2020-rectification.txt": 6,
    "links-r12/juetang-2025-revisit.md": 5,
    "links-r12/ruoxi-2019-rectification.txt": 7,
    "links-r12/ruoxi-2023-rectification.txt": 7,
    "links-r12/shebao-2021-rectification.txt": 7,
    "links-r12/shebao-2024-rectification.txt": 6,
    "links-r12/zhongyi-2021-rectification.txt": 7,
    "links-r12/zhongyi-2022-progress.txt": 3,
    "links-r13/gongshui-2020-rectification.txt": 8,
    "links-r13/gongshui-2025-revisit.html": 5,
    "links-r13/lichuan-2020-rectification.md": 7,
    "links-r13/lichuan-2025-revisit.txt": 5,
    "links-r13/nongji-2021-rectification.txt": 8,
    "links-r13/nongji-2022-progress.txt": 3,
    "links-r13/nongji-2024-rectification.txt": 6,
    "links-r13/sanzhong-2021-rectification.txt": 7,
    "links-r13/sanzhong-2024-rectification.txt": 6,
    "links-r13/yutang-2020-rectification.txt": 6,
    "links-r13/yutang-2025-revisit.md": 4,
    "links-r13/ziyuan-2019-rectification.txt": 8,
    "links-r13/ziyuan-2020-progress.txt": 3,
    "links-r13/ziyuan-2024-rectification.md": 7,
    "links-r11/budongchan-2022-rectification.txt": 8,
    "links-r11/budongchan-2023-progress.txt": 4,
    "links-r11/fengpu-2020-rectification.md": 8,
    "links-r11/fengpu-2023-rectification.txt": 7,
    "links-r11/gongshui-2020-rectification.txt": 7,
    "links-r11/gongshui-2024-rectification.html": 7,
    "links-r11/ligang-2021-rectification.txt": 6,
    "links-r11/ligang-2025-revisit.txt": 5,
    "links-r11/nongye-2019-rectification.txt": 9,
    "links-r11/nongye-2020-progress.txt": 3,
    "links-r11/nongye-2024-revisit.md": 7,
    "links-r11/yizhong-2021-rectification.txt": 8,
    "links-r11/yizhong-2022-progress.txt": 2,
    "links-r11/yizhong-2025-revisit.txt": 6,
    "links-r10/eryuan-2021-rectification.txt": 8,
    "links-r10/eryuan-2022-progress.txt": 3,
    "links-r10/eryuan-2025-revisit.txt": 7,
    "links-r10/jiaotou-2019-rectification.txt": 8,
    "links-r10/jiaotou-2023-rectification.md": 7,
    "links-r10/luduan-2021-rectification.md": 6,
    "links-r10/luduan-2025-revisit.txt": 6,
    "links-r10/luzhu-2020-rectification.txt": 8,
    "links-r10/luzhu-2024-rectification.html": 8,
    "links-r10/nongji-2020-rectification.txt": 7,
    "links-r10/nongji-2023-rectification.md": 7,
    "links-r10/ziranju-2020-rectification.txt": 9,
    "links-r10/ziranju-2021-progress.txt": 4,
    "links-r10/ziranju-2024-revisit.md": 6,
    "links-r4/jiaotong-2019-rectification.txt": 8,
    "links-r4/jiaotong-2020-progress.txt": 4,
    "links-r4/jiaotong-2023-rectification.txt": 7,
    "links-r4/liuhe-2020-rectification.txt": 7,
    "links-r4/liuhe-2023-rectification.txt": 7,
    "links-r4/nongye-2019-rectification.txt": 7,
    "links-r4/nongye-2022-revisit.txt": 6,
    "links-r4/water-2020-rectification.txt": 8,
    "links-r4/water-2022-revisit.txt": 6,
    "links-r4/wenlv-2021-rectification.md": 8,
    "links-r4/wenlv-2022-progress.md": 5,
    "links-r4/wenlv-2024-rectification.html": 7,
    "links-r4/yibao-2022-rectification.txt": 8,
    "links-r4/yibao-2023-progress.txt": 5,
    "links-r4/yibao-2025-rectification.md": 7,
    "links-r5/gongjiao-2019-rectification.txt": 7,
    "links-r5/gongjiao-2022-revisit.txt": 6,
    "links-r5/jiaoyu-2021-rectification.md": 9,
    "links-r5/jiaoyu-2022-progress.md": 4,
    "links-r5/jiaoyu-2025-rectification.html": 8,
    "links-r5/shenji-2019-rectification.txt": 8,
    "links-r5/shenji-2020-progress.txt": 4,
    "links-r5/shenji-2023-rectification.txt": 7,
    "links-r5/taoyuancun-2021-rectification.txt": 7,
    "links-r5/taoyuancun-2024-rectification.txt": 6,
    "links-r5/zhujian-2020-rectification.txt": 9,
    "links-r5/zhujian-2023-revisit.txt": 6,
    "links-r5/ziranziyuan-2020-rectification.txt": 9,
    "links-r5/ziranziyuan-2021-progress.txt": 4,
    "links-r5/ziranziyuan-2024-rectification.txt": 7,
    "links-r6/erzhong-2021-rectification.md": 8,
    "links-r6/erzhong-2022-progress.md": 4,
    "links-r6/erzhong-2024-rectification.html": 9,
    "links-r6/heming-2019-progress.txt": 4,
    "links-r6/heming-2019-rectification.txt": 9,
    "links-r6/heming-2022-revisit.txt": 7,
    "links-r6/shichang-2019-rectification.txt": 9,
    "links-r6/shichang-2020-progress.txt": 4,
    "links-r6/shichang-2023-rectification.txt": 8,
    "links-r6/shuiwu-2020-rectification.txt": 8,
    "links-r6/shuiwu-2023-revisit.txt": 7,
    "links-r6/wanghucun-2021-rectification.txt": 8,
    "links-r6/wanghucun-2024-rectification.txt": 8,
    "links-r6/yiyuan-2020-rectification.txt": 8,
    "links-r6/yiyuan-2024-rectification.txt": 7,
    "links-r7/chengtou-2020-rectification.md": 8,
    "links-r7/chengtou-2024-revisit.md": 7,
    "links-r7/liuwancun-2021-rectification.txt": 8,
    "links-r7/liuwancun-2024-rectification.md": 7,
    "links-r7/nongji-2020-rectification.html": 8,
    "links-r7/nongji-2021-progress.html": 3,
    "links-r7/nongji-2024-rectification.txt": 7,
    "links-r7/qiyun-2021-rectification.txt": 8,
    "links-r7/qiyun-2022-progress.txt": 3,
    "links-r7/qiyun-2025-revisit.txt": 6,
    "links-r7/zhongyi-2019-rectification.txt": 7,
    "links-r7/zhongyi-2023-rectification.html": 8,
    "links-r7/zirandu-2019-rectification.txt": 8,
    "links-r7/zirandu-2020-progress.txt": 4,
    "links-r7/zirandu-2023-rectification.txt": 7,
    "links-r8/fuyou-2019-rectification.txt": 8,
    "links-r8/fuyou-2023-rectification.html": 7,
    "links-r8/jiaotou-2020-rectification.md": 8,
    "links-r8/jiaotou-2024-revisit.md": 6,
    "links-r8/liaotangcun-2021-rectification.txt": 7,
    "links-r8/liaotangcun-2024-rectification.md": 6,
    "links-r8/minzheng-2019-rectification.txt": 8,
    "links-r8/minzheng-2020-progress.txt": 4,
    "links-r8/minzheng-2023-rectification.txt": 7,
    "links-r8/zhewan-2020-rectification.txt": 8,
    "links-r8/zhewan-2021-progress.txt": 4,
    "links-r8/zhewan-2024-revisit.txt": 6,
    "links-r8/zhizhuan-2021-rectification.md": 8,
    "links-r8/zhizhuan-2022-progress.md": 4,
    "links-r8/zhizhuan-2025-rectification.html": 7,
    "links-r9/chengtou-2020-rectification.txt": 7,
    "links-r9/chengtou-2021-progress.txt": 3,
    "links-r9/chengtou-2024-revisit.md": 6,
    "links-r9/fengya-2019-rectification.txt": 8,
    "links-r9/fengya-2023-rectification.html": 7,
    "links-r9/jiaoyi-2020-rectification.txt": 7,
    "links-r9/jiaoyi-2021-progress.md": 4,
    "links-r9/jiaoyi-2024-revisit.html": 6,
    "links-r9/shideng-2021-rectification.md": 7,
    "links-r9/shideng-2025-rectification.txt": 6,
    "links-r9/shijian-2019-rectification.txt": 8,
    "links-r9/shijian-2020-progress.txt": 3,
    "links-r9/shijian-2023-rectification.md": 8,
    "links-r9/yizhong-2021-rectification.txt": 7,
    "links-r9/yizhong-2022-progress.txt": 3,
    "links/丁-2021-城投集团-整改情况.txt": 5,
    "links/丁-2022-城投集团-整改进展.txt": 2,
    "links/丙-2021-第一中学-整改情况.txt": 4,
    "links/丙-2024-第一中学-整改情况.txt": 3,
    "links/乙-2020-卫健局-整改情况.txt": 5,
    "links/乙-2023-卫健局-回头看.txt": 4,
    "links/戊-2022-某街道-整改情况.txt": 5,
    "links/戊-2025-某街道-整改情况.txt": 4,
    "links/甲-2019-财政局-整改情况.txt": 5,
    "links/甲-2019-财政局-整改进展.txt": 2,
    "links/甲-2022-财政局-整改情况.txt": 4,
}


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Counter[str], dict[str, str | None]]:
    settings = load_settings(environ={}, home=tmp_path_factory.mktemp("judged") / "home")
    archive = Archive.open(settings.db_path)
    try:
        ingest(archive, settings.ingest_options(), [str(ROOT / "tests" / "fixtures" / f) for f in FOLDERS])
        docs = {d.id: d for d in archive.documents_of_type(DocType.NOTICE)}
        key = {i: f"{Path(d.source_path).parent.name}/{Path(d.source_path).name}" for i, d in docs.items()}
        counts = Counter(key[p.doc_id] for p in archive.link_problems())
        units = {key[i]: d.header.inspected_unit for i, d in docs.items()}
        planned = {key[p.doc_id]: p.unit_id for p in plan_units(tuple(docs.values()), ())}
    finally:
        archive.close()
    return counts, units, planned


def test_every_judged_notice_parses_into_the_problems_it_was_judged_as(parsed) -> None:
    counts, units, _ = parsed
    assert set(units) == set(PROBLEMS)
    assert {k: counts[k] for k in PROBLEMS} == PROBLEMS


def test_the_round_five_notices_name_their_unit(parsed) -> None:
    """links-r5 was written for round 5 by someone who had not seen the method: six units, 2–3 notices each."""
    _, units, _ = parsed
    r5 = {k: u for k, u in units.items() if k.startswith("links-r5/")}
    assert len(r5) == 15 and None not in r5.values() and len(set(r5.values())) == 6


def test_one_unit_name_in_two_counties_is_two_units(parsed) -> None:
    """links-r5 (示例县) and links-r7 (澄岭县) both write 县自然资源局党组 in their headers; their signatures name the
    county, so the judged rounds of each stay within its own unit (LINKS_VERSION 14)."""
    _, units, planned = parsed
    r5 = {planned[k] for k in planned if k.startswith("links-r5/ziranziyuan")}
    r7 = {planned[k] for k in planned if k.startswith("links-r7/zirandu")}
    assert {units[k] for k in units if "ziran" in k} == {"县自然资源局党组"}
    assert len(r5) == len(r7) == 1 and r5 != r7
    r7_units = {planned[k] for k in planned if k.startswith("links-r7/")}
    assert len(r7_units) == 6 and not r7_units & {planned[k] for k in planned if not k.startswith("links-r7/")}


def test_every_judged_fixture_problem_is_one_the_fixtures_hold(parsed) -> None:
    """A judged key (folder/file#pN, benchmarks/quality/links/judged.jsonl) of a fixture folder names a problem its file
    holds: keys of the file name alone had put two folders' problems under one key (links-r9 and links-r11 share
    yizhong-2021-rectification.txt), and their judgments were scored against the wrong problems."""
    import json

    counts, _, _ = parsed
    judged = ROOT / "benchmarks" / "quality" / "links" / "judged.jsonl"
    keys = [k for line in judged.read_text(encoding="utf-8").splitlines() if line.strip()
            for k in (json.loads(line)["a"], json.loads(line)["b"])]
    fixture = [k for k in keys if k.split("/", 1)[0] in FOLDERS]
    assert len(fixture) > 3000 and all("/" in k for k in keys)
    for k in fixture:
        path, _, n = k.partition("#p")
        assert 1 <= int(n) <= counts[path], k
