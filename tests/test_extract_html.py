"""The saved-page extractor: main content via trafilatura, the 信息索引号 table as metadata, furniture dropped."""

from __future__ import annotations

from pathlib import Path

from archive.extract import extract_bytes
from archive.extract.html import page_metadata
from archive.options import ExtractOptions
from archive.parse import parse_document

META = """<table><tr><td>索引号：</td><td>000/2024-01</td></tr>
<tr><td>发布机构：</td><td>示例县财政局</td><td>成文日期：</td><td>2024年3月8日</td></tr>
<tr><td>文件名称：</td><td>示例县财政局关于巡察整改情况的报告</td></tr></table>"""
BODY = ("<p>根据县委统一部署，2023年9月4日至10月20日，县委第一巡察组对县财政局党组进行了巡察。现将整改情况报告如下。</p>"
        "<p>一、整改落实情况</p><p>（一）关于预算管理方面问题的整改落实情况</p>"
        "<p>1.针对预算执行进度偏慢的问题。一是建立预算执行月通报制度；二是对进度滞后的项目收回资金。已完成整改。</p>"
        "<p>2.针对政府采购监管不严的问题。一是开展政府采购专项检查；二是修订采购内控制度。</p>")


def page(meta: str, body: str) -> bytes:
    return (f"<html><head><title>示例县财政局关于巡察整改情况的报告_部门动态_示例县人民政府网</title></head><body>"
            f"<div class='nav'><a>首页</a><a>政务公开</a></div><div class='content'>{meta}"
            f"<div class='tools'>浏览次数：88 【打印】【关闭】</div><div class='body'>{body}</div></div>"
            f"<div class='footer'>版权所有：示例县人民政府 网站标识码：0001 示ICP备0001号</div></body></html>").encode()


def test_metadata_table_feeds_title_publisher_and_date_without_a_signature() -> None:
    extracted = extract_bytes(page(META, BODY), ".html", ExtractOptions())
    assert (extracted.title, extracted.publisher, extracted.published) == (
        "示例县财政局关于巡察整改情况的报告", "示例县财政局", "2024-03-08")
    assert extracted.text.startswith("根据县委统一部署")
    assert not any(w in extracted.text for w in ("索引号", "发布机构", "浏览次数", "打印", "版权所有", "首页"))
    parsed = parse_document(extracted, "page.html")
    assert (parsed.title, parsed.publisher, parsed.published) == (
        "示例县财政局关于巡察整改情况的报告", "示例县财政局", "2024-03-08")
    assert parsed.notice is not None
    assert [p.title for c in parsed.notice.categories for p in c.problems] == [
        "针对预算执行进度偏慢的问题", "针对政府采购监管不严的问题"]
    assert [p.status for c in parsed.notice.categories for p in c.problems] == ["done", None]
    assert not any(w.startswith("no signature") for w in parsed.warnings)


def test_without_the_table_the_site_suffix_is_dropped_from_the_title() -> None:
    extracted = extract_bytes(page("", BODY), ".html", ExtractOptions())
    assert extracted.title == "示例县财政局关于巡察整改情况的报告"
    assert (extracted.publisher, extracted.published) == (None, None)


def test_page_metadata_reads_label_value_cells() -> None:
    assert page_metadata(f"<html><body>{META}</body></html>") == {
        "title": "示例县财政局关于巡察整改情况的报告", "publisher": "示例县财政局", "date": "2024年3月8日"}
    assert page_metadata("<html><body><p>没有表格</p></body></html>") == {}


CMS = Path(__file__).parent / "fixtures" / "links-r11" / "gongshui-2024-rectification.html"
SIGNED = ('<p style="text-align:right">中共棠溆县城乡供水有限公司委员会</p>\n<p style="text-align:right">2024年10月11日</p>\n'
          '</div>\n</div>')


def test_a_signature_set_apart_after_the_article_is_kept() -> None:
    """A CMS page that closes the article's div and signs in a <div class="sign"> of its own (round 11's page with
    its signature moved out): the unit and the date follow the body, as when they sit inside it (trafilatura and
    the container both left them out). A short block after the article that ends in no date is not taken."""
    page_text = CMS.read_text(encoding="utf-8")
    assert SIGNED in page_text
    inside = extract_bytes(page_text.encode(), ".html", ExtractOptions()).text
    apart = page_text.replace(SIGNED, "</div>\n<div class=\"sign\">" + SIGNED.removesuffix("</div>\n</div>") + "</div>\n</div>")
    assert extract_bytes(apart.encode(), ".html", ExtractOptions()).text == inside
    assert inside.endswith("中共棠溆县城乡供水有限公司委员会\n2024年10月11日")
    note = page_text.replace(SIGNED, "</div>\n<div class=\"note\"><p>扫一扫在手机打开当前页</p></div>\n</div>")
    assert "扫一扫" not in extract_bytes(note.encode(), ".html", ExtractOptions()).text
