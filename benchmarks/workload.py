"""The staff-style query set of the speed benchmark, generated from the archive itself.

At least 200 queries: the graded development queries, then single words and pairs from regulation
and notice titles, quoted phrases, citations (short title + 第N条 of articles that exist), questions,
and long queries of common words (up to the 200-character cap). Deterministic (seeded) so that two
runs on the same archive time the same queries.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from archive.citations import short_title
from archive.database import Archive
from archive.kinds import DocType
from archive.numerals import int_to_cn

QUERIES = Path(__file__).resolve().parent / "quality" / "queries.jsonl"
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,4}")
COMMON = ("工作 管理 规定 单位 人员 国家 有关 部门 组织 制度 问题 情况 建立 健全 加强 落实 监督 检查 责任 "
          "整改 违反 依法 处理 机关 政府 机构 实施 办法 条例 标准 资金 项目 经费 审批 程序").split()


def staff_queries(archive: Archive, n: int = 240, seed: int = 14) -> list[tuple[str, str]]:
    """(kind, query) pairs, `n` of them at least when the archive is big enough."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = [("graded", json.loads(line)["query"])
                                  for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    regs, notices = [], []
    for d in archive.documents():
        (regs if d.doc_type == DocType.REGULATION else notices).append(d)
    regs.sort(key=lambda d: d.id)
    words = sorted({w for d in regs + notices for w in _CJK_WORD.findall(short_title(d.title) or d.title)})
    if not words or not regs:
        return out
    rest = max(0, n - len(out))
    per = max(1, rest // 6)
    out += [("word", rng.choice(words)) for _ in range(per)]
    out += [("pair", f"{rng.choice(words)} {rng.choice(words)}") for _ in range(per)]
    for d in rng.sample(regs, min(per, len(regs))):
        arts = archive.articles(d.id)
        if arts:
            a = rng.choice(arts)
            out.append(("citation", f"{short_title(d.title)} 第{int_to_cn(a.number)}条"))
            text = re.sub(r"\s+", "", a.text)
            if len(text) > 12:
                i = rng.randrange(0, len(text) - 8)
                out.append(("phrase", f'"{text[i:i + rng.randint(4, 8)]}"'))
    out += [("question", f"{rng.choice(words)}有哪些规定") for _ in range(per // 2)]
    out += [("question", f"违反{rng.choice(words)}应当如何处理") for _ in range(per // 2)]
    for _ in range(per):
        k = rng.randint(20, 60)
        out.append(("long", "".join(rng.choice(COMMON) for _ in range(k))[:200]))
    return out
