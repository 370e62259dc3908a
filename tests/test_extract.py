"""Extraction of good files: encodings, saved pages, Word, printed PDFs and scanned PDFs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from archive.extract import NeedsOCR, extract, extract_bytes
from archive.extract.pdf import ocr_available
from archive.normalize import normalize
from tests import fixtures_build as fb
from xuncha.settings import Settings

RADICALS = re.compile(r"[\u2e80-\u2eff\u2f00-\u2fdf]")
# 䶮 (U+4DAE, CJK Extension A) and 𠮷 (U+20BB7, supplementary plane) are in GB18030 but not in GBK
RARE = "䶮山村与𠮷溪社区"

CHROMIUM_MISSING = fb.chromium_missing()
needs_chromium = pytest.mark.skipif(CHROMIUM_MISSING is not None, reason=CHROMIUM_MISSING or "")


def _ocr_missing() -> str | None:
    if not shutil.which("pdftoppm"):
        return "pdftoppm not installed (Debian package poppler-utils)"
    if not shutil.which("tesseract"):
        return "tesseract not installed (Debian package tesseract-ocr)"
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False).stdout
    return None if "chi_sim" in langs else "tesseract has no chi_sim data (Debian package tesseract-ocr-chi-sim)"


# ------------------------------------------------------------------------------------------------ text

def test_utf8_text(tmp_path: Path, settings: Settings) -> None:
    path = fb.write(tmp_path / "a.txt", "第一行：巡察整改\n第二行")
    got = extract(path, settings.extract_options())
    assert (got.text, got.method, got.warnings) == ("第一行：巡察整改\n第二行", "text", ())


def test_utf8_with_bom_drops_the_bom(tmp_path: Path, settings: Settings) -> None:
    path = fb.write(tmp_path / "a.txt", b"\xef\xbb\xbf" + "巡察整改情况".encode())
    got = extract(path, settings.extract_options())
    assert got.text == "巡察整改情况"
    assert not got.text.startswith("\ufeff")


def test_gb18030_keeps_characters_gbk_lacks(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(UnicodeEncodeError):
        RARE.encode("gbk")  # the fixture really needs GB18030
    path = fb.write(tmp_path / "镇.txt", f"示例镇{RARE}整改情况。".encode("gb18030"))
    got = extract(path, settings.extract_options())
    assert RARE in got.text
    assert got.warnings == ("decoded as gb18030",)


def test_utf16_with_bom(settings: Settings) -> None:
    assert extract_bytes("巡察整改".encode("utf-16"), ".txt", settings.extract_options()).text == "巡察整改"


def test_markdown_is_read_as_text(tmp_path: Path, settings: Settings) -> None:
    path = fb.write(tmp_path / fb.REGULATION_NAME, fb.REGULATION_TEXT)
    got = extract(path, settings.extract_options())
    assert got.text.startswith("# 示例市档案查阅管理办法\n")
    assert "第三条 查阅档案应当出示有效身份证件" in got.text


# ------------------------------------------------------------------------------------------------ HTML

PAGE_TITLE = "示例区文化局党组关于巡察整改情况的通报"
BOILERPLATE = ["首页", "政务公开", "当前位置", "相关链接", "示例区纪委监委通报", "版权所有", "ICP", "网站地图",
               "请输入关键字", "统计代码", "打印本页", "float", "示例区人民政府网"]


def test_saved_page_keeps_the_article_only(settings: Settings) -> None:
    page = fb.saved_page(f"{PAGE_TITLE}_示例区人民政府网", PAGE_TITLE, fb.NOTICE_TEXT.splitlines())
    got = extract_bytes(page.encode("utf-8"), ".html", settings.extract_options())
    assert got.title == PAGE_TITLE
    assert got.method == "html"
    lines = got.text.split("\n")
    assert lines[0].startswith("根据区委统一部署")
    assert lines[-1] == "2022年8月31日"
    assert "1.针对党组议事规则不规范的问题。一是修订《示例区党组议事规则》第八条" in got.text
    assert [w for w in BOILERPLATE if w in got.text] == []


def test_page_title_without_heading_drops_the_site_name(settings: Settings) -> None:
    page = fb.saved_page("文章标题_示例网站", None, ["文章标题", *fb.NOTICE_TEXT.splitlines()[:3]])
    got = extract_bytes(page.encode("utf-8"), ".html", settings.extract_options())
    assert got.title == "文章标题"
    assert got.text.startswith("根据区委统一部署")  # the repeated title is not body text
    assert [w for w in BOILERPLATE if w in got.text] == []


def test_site_name_longer_than_the_title_is_not_taken(settings: Settings) -> None:
    page = fb.saved_page("通报_示例区人民政府门户网站", None, ["通报", "示例区文化局党组整改工作已经全部完成，现予公布。"])
    assert extract_bytes(page.encode("utf-8"), ".html", settings.extract_options()).title == "通报"


def test_gb2312_page_encoded_as_gb18030(settings: Settings) -> None:
    page = fb.saved_page(f"{PAGE_TITLE}_示例区人民政府网", PAGE_TITLE,
                         [f"示例镇{RARE}的巡察整改工作已经全部完成，现将有关情况公布如下。"], charset="gb2312")
    got = extract_bytes(page.encode("gb18030"), ".html", settings.extract_options())
    assert RARE in got.text
    assert got.title == PAGE_TITLE


def test_gb2312_meta_on_a_page_resaved_as_utf8(settings: Settings) -> None:
    page = fb.saved_page(f"{PAGE_TITLE}_示例区人民政府网", PAGE_TITLE,
                         ["示例镇的巡察整改工作已经全部完成，现将有关情况公布如下。"], charset="gb2312")
    got = extract_bytes(page.encode("utf-8"), ".html", settings.extract_options())
    assert "巡察整改工作已经全部完成" in got.text


def test_unclosed_tags_by_the_thousand_stay_fast_and_whole(settings: Settings) -> None:
    # old CMS pages leave <p> and <font> open; nesting must neither overflow the stack nor go quadratic
    page = "<html><body>" + "<font><p>段落文字内容示例一二三四五六".strip() * 20000 + "</body></html>"
    got = extract_bytes(page.encode("utf-8"), ".html", settings.extract_options())
    assert got.text.count("段落文字内容示例") == 20000


# ------------------------------------------------------------------------------------------------ .docx

def test_docx_paragraphs_in_order_and_title(tmp_path: Path, settings: Settings) -> None:
    paragraphs = ["第一章 总则", "第一条 为了加强干部谈心谈话工作，制定本制度。", "第二条 本制度适用于区直机关。",
                  "第三条 谈心谈话每年不少于两次。"]
    path = fb.docx(tmp_path / "制度.docx", "示例区机关干部谈心谈话制度", paragraphs)
    got = extract(path, settings.extract_options())
    assert got.title == "示例区机关干部谈心谈话制度"
    assert got.method == "docx"
    assert got.text.split("\n") == ["示例区机关干部谈心谈话制度", *paragraphs]


def test_docx_core_title_wins(tmp_path: Path, settings: Settings) -> None:
    path = fb.docx(tmp_path / "a.docx", "正文标题", ["正文第一段。"], core_title="示例核心属性标题")
    assert extract(path, settings.extract_options()).title == "示例核心属性标题"


# ------------------------------------------------------------------------------------------------ PDF

PDF_TITLE = "示例市关于加强公务用车管理的通知"
PDF_PARAGRAPHS = [
    "各区人民政府，市政府各部门：为进一步加强公务用车管理，规范公务用车使用行为，降低行政成本，根据有关规定，"
    "结合本市实际，现就有关事项通知如下。",
    "一、严格执行公务用车配备标准，不得超标准配备公务用车，不得以任何名义变相配备公务用车。",
    "二、加强公务用车日常管理，建立健全公务用车使用登记和公示制度，严禁公车私用，长期坚持，人民满意。",
]


@pytest.fixture(scope="module")
def printed_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A PDF printed by Chromium from a narrow page, so sentences wrap across lines."""
    if CHROMIUM_MISSING:
        pytest.skip(CHROMIUM_MISSING)
    html = (f"<!doctype html><html><head><meta charset='utf-8'><title>{PDF_TITLE}</title><style>"
            "body{font-size:16px;width:400px;font-family:'Noto Sans CJK SC',sans-serif}</style></head><body>"
            + "".join(f"<p>{p}</p>" for p in PDF_PARAGRAPHS) + "</body></html>")
    return fb.print_pdf(html, tmp_path_factory.mktemp("printed") / "notice.pdf").read_bytes()


@needs_chromium
def test_printed_pdf_text_is_repaired_and_reflowed(printed_pdf: bytes, settings: Settings) -> None:
    got = extract_bytes(printed_pdf, ".pdf", settings.extract_options())
    assert got.method == "pdf"
    assert got.title == PDF_TITLE
    # Chromium's text layer spells 用/车/民 as radicals; the extractor gives the ideographs back
    assert RADICALS.findall(got.text) == []
    assert not any(p in got.text for p in PDF_PARAGRAPHS[0::2])  # the fixture really wraps these lines
    text = normalize(got.text, reflow=True)
    assert RADICALS.findall(text) == []
    for paragraph in PDF_PARAGRAPHS:
        assert paragraph in text.split("\n")


@pytest.fixture(scope="module")
def scanned_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A picture of Chinese text wrapped in a PDF, no text layer."""
    if CHROMIUM_MISSING:
        pytest.skip(CHROMIUM_MISSING)
    return fb.scanned_pdf(["巡察整改情况通报", "严禁公车私用"], tmp_path_factory.mktemp("scan") / "scan.pdf").read_bytes()


@needs_chromium
def test_scanned_pdf_is_read_by_ocr(scanned_pdf: bytes, settings: Settings) -> None:
    missing = _ocr_missing()
    if missing:
        pytest.skip(missing)
    assert ocr_available()
    got = extract_bytes(scanned_pdf, ".pdf", settings.extract_options())
    assert got.method == "ocr"
    text = normalize(got.text, reflow=True)
    assert "巡察整改" in text
    assert "公车私用" in text
    assert got.warnings == ("text from OCR (tesseract)",)


@needs_chromium
def test_scanned_pdf_without_ocr_needs_ocr(scanned_pdf: bytes, tmp_path: Path) -> None:
    with pytest.raises(NeedsOCR, match="needs OCR"):
        extract_bytes(scanned_pdf, ".pdf", Settings(home=tmp_path, ocr="off").extract_options())


def test_pdf_with_only_an_owner_password_opens(settings: Settings) -> None:
    got = extract_bytes(fb.encrypted_pdf(b""), ".pdf", settings.extract_options())
    assert "the quick brown fox jumps over the lazy dog" in got.text


@pytest.mark.parametrize(("meta", "expected"), [
    ("si.html", None), ("Microsoft Word - 关于巡察整改情况的通报.doc", "关于巡察整改情况的通报"),
    ("Untitled", None), ("示例市公务用车管理办法", "示例市公务用车管理办法"),
])
def test_pdf_metadata_title_that_names_a_file_is_dropped(meta: str, expected: str | None) -> None:
    from archive.extract.pdf import _useful_title

    assert _useful_title(meta) == expected


def test_pdf_tolerates_junk_before_the_header(settings: Settings) -> None:
    got = extract_bytes(b"\r\n\x00junk\r\n" + fb.simple_pdf(), ".pdf", settings.extract_options())
    assert "quick brown fox" in got.text
