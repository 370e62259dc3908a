"""What saved government pages add around a notice, as text: site furniture lines and the metadata table.

Shared by the saved-page extractor (archive/extract/html.py) and the notice parser, which meets the same lines
in a .pdf a browser printed from such a page (navigation, 信息索引号 table, share links, footers).
"""

from __future__ import annotations

import re

from .figures import parse_date

# site furniture: tools, counters, meta lines, footers (never notice text)
FURNITURE = re.compile(
    r"^[\s【\[]*(?:打印|关闭|朗读|分享|收藏|字体|字号|返回顶部|扫一扫|浏览(?:次数|量)|阅读(?:次数|量)|访问(?:次数|量)|"
    r"点击(?:数|量|率|次数)|发布时间|发布日期|来源\s*[:：]|信息来源|责任编辑|分享到|上一篇|下一篇|主办|承办|协办|"
    r"版权所有|网站标识码|网站地图|联系我们|当前位置|您当前的位置|您现在的位置|信息索引号|索引号|发布机构|成文日期|"
    r"文件名称|主题分类|\d{4}-\d{2}-\d{2}(?:\s+\d{2}:\d{2})?\s*来源)|ICP备|公网安备|Copyright|©")
_META = re.compile(r"(文件名称|发布机构|发文机关|成文日期|发布日期)\s*[:：]\s*(\S+)")
_KEYS = {"文件名称": "title", "发布机构": "publisher", "发文机关": "publisher", "成文日期": "date", "发布日期": "date"}


def is_furniture(line: str) -> bool:
    """A line a site puts around every article (its first 40 characters decide)."""
    return bool(FURNITURE.search(line.strip()[:40]))


def meta_from_lines(lines: list[str]) -> dict[str, str]:
    """title / publisher / date (ISO) from 文件名称： / 发布机构： / 成文日期： lines, as a printed page shows them."""
    found: dict[str, str] = {}
    for line in lines:
        for m in _META.finditer(line):
            key = _KEYS[m.group(1)]
            value = parse_date(m.group(2)) if key == "date" else m.group(2)
            if value and key not in found:
                found[key] = value
    return found


def site_title(title: str) -> str:
    """A page <title> without its column and site (…的通报_通知公告_某县人民政府门户网站 → …的通报)."""
    parts = [p for p in re.split(r"\s*[_|｜]\s*|\s+[-–—]\s+", title) if p.strip()]
    if len(parts) > 1 and re.search(r"网|政府|门户|官网|首页", parts[-1]):
        return parts[0].strip()
    return title
