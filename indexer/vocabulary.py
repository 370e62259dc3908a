"""Vocabulary mined from the archive at index time: the short names texts define for themselves.

Regulations and notices define their own abbreviations, `中国残疾人联合会（以下简称中国残联）`,
`国有资产监督管理机构（简称国资委）`. A full build collects them (mine) and writes them into the new
index generation as `vocabulary.txt`, in the synonym file's format (indexer/data/synonyms.txt), so a
search of that index widens 残联 to 残疾人联合会 without a hand-written entry. The rules' version
(VOCABULARY_VERSION) is recorded beside the index: a change makes `reindex --if-needed` rebuild.
Terms no text defines (双规, 小金库 …) are curated in indexer/data/colloquial.txt instead.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from archive.database import Archive

FILE = "vocabulary.txt"
# the full name just before （以下简称X） / （简称“X”） / （下称X）
_DEFINED = re.compile(r"([\u4e00-\u9fff]{2,30})[（(](?:以下|下文)?(?:简称|称)为?[：:]?[“\"「『]?"
                      r"([\u4e00-\u9fff]{2,10})[”\"」』]?[)）]")
# short names that stand for the text itself or for a generic role, not an abbreviation
_GENERIC = re.compile(r"^(?:本|该|其|上述|前款|下列)|(?:单位|部门|机关|机构|人员|企业|组织|项目|资金|合同|双方|甲方|乙方)$")


def _full_name(before: str, short: str) -> str | None:
    """The shortest tail of `before` that starts with the short name's first character and holds all its
    characters in order (中国残疾人联合会 + 残联 → 残疾人联合会); None when there is none."""
    for start in range(len(before) - len(short), -1, -1):
        tail = before[start:]
        if tail[0] != short[0]:
            continue
        it = iter(tail)
        if all(ch in it for ch in short):
            return tail
    return None


def mine(texts: Iterable[str]) -> dict[str, str]:
    """short name → the full name most texts give it (pairs where the short is not just part of the full)."""
    seen: dict[str, Counter[str]] = {}
    for text in texts:
        for m in _DEFINED.finditer(text):
            short = m.group(2)
            if _GENERIC.search(short):
                continue
            full = _full_name(m.group(1), short)
            if (full and short not in full and len(full) > len(short) and len(short) <= 6 and len(full) <= 16
                    and full != "中华人民共和国" and not short.startswith("某")):
                seen.setdefault(short, Counter())[full] += 1
    return {short: fulls.most_common(1)[0][0] for short, fulls in seen.items()}


def write(archive: Archive, directory: Path) -> int:
    """Mine the archive's texts and write vocabulary.txt into an index generation; returns the pair count."""
    pairs = mine(d.text for d in archive.documents())
    lines = [f"{short} = {full}" for short, full in sorted(pairs.items())]
    (directory / FILE).write_text("# mined from the archive at index time (indexer/vocabulary.py)\n"
                                  + "".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def vocabulary_version() -> str:
    """A short hash of the mining rules (this module): recorded beside the index."""
    return hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:12]
