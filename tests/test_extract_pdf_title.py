"""A PDF's title by layout (archive/extract/pdf_layout.py): browser-printed notices whose title wraps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import assume, given
from hypothesis import strategies as st

from archive.extract import extract_bytes
from archive.extract.pdf_layout import Line, join_title, title_lines
from archive.parse import parse_document
from tests import fixtures_build as fb
from xuncha.cli import main
from xuncha.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
WIDTH, HEIGHT = 595.0, 842.0
# each sample: what the stored notice must say
PDF_SAMPLES = {
    "pdf-title-wrapped": ("中共示例市青山区委员会关于省委第三巡视组反馈意见整改进展情况的通报",
                          "中共示例市青山区委员会", "2023-09-15"),
    "pdf-title-one-line": ("中共示例县农业农村局党组关于巡察整改情况的通报", "中共示例县农业农村局党组", "2024-01-10"),
    "pdf-title-red-header": ("中共示例县科学技术局党组关于县委第四巡察组巡察反馈意见整改进展情况的通报",
                             "中共示例县科学技术局党组", "2023-12-06"),
}

hanzi = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


def _centred(text: str, size: float, top: float) -> Line:
    width = len(text) * size
    return Line(text, size, (WIDTH - width) / 2, (WIDTH + width) / 2, top - size, top)


def _body(count: int, top: float, size: float = 12.0) -> list[Line]:
    return [Line("正文内容" * 8, size, 57.0, 57.0 + 32 * size, top - i * size * 1.8 - size, top - i * size * 1.8)
            for i in range(count)]


@given(st.text(hanzi, min_size=4, max_size=90), st.integers(1, 3), st.floats(15.0, 30.0), st.integers(3, 20))
def test_a_wrapped_title_is_joined_back(title: str, pieces: int, size: float, body: int) -> None:
    assume(not title.endswith("文件"))  # a masthead, passed over (below)
    cut = max(1, len(title) // pieces)
    chunks = [title[i:i + cut] for i in range(0, len(title), cut)]
    top = HEIGHT - 57
    run = [_centred(c, size, top - i * size * 1.3) for i, c in enumerate(chunks)]
    lines = run + _body(body, top - len(chunks) * size * 1.3 - 20)
    found = title_lines(lines, WIDTH, HEIGHT)
    assert join_title(found) == title
    assert all(ln.size == size for ln in found)


@given(st.text(hanzi, min_size=4, max_size=40), st.integers(3, 20))
def test_one_font_size_gives_no_title_by_layout(first: str, body: int) -> None:
    lines = [_centred(first, 12.0, HEIGHT - 57)] + _body(body, HEIGHT - 90)
    assert title_lines(lines, WIDTH, HEIGHT) == []


@given(st.text(hanzi, min_size=4, max_size=15), st.integers(3, 20))
def test_a_large_line_at_the_left_margin_is_no_title(first: str, body: int) -> None:
    # a section heading in a larger font, set flush left: its middle is far from the page's
    lines = [Line(first, 20.0, 57.0, 57.0 + 20 * len(first), HEIGHT - 77, HEIGHT - 57)] + _body(body, HEIGHT - 100)
    assert title_lines(lines, WIDTH, HEIGHT) == []


def test_a_large_line_low_on_the_page_is_no_title() -> None:
    lines = _body(10, HEIGHT - 57) + [_centred("中共示例县委员会关于整改的通报", 20.0, HEIGHT * 0.3)]
    assert title_lines(lines, WIDTH, HEIGHT) == []


@given(st.text(hanzi, min_size=4, max_size=60), st.floats(15.0, 24.0), st.integers(3, 20))
def test_a_masthead_above_the_title_is_passed_over(title: str, size: float, body: int) -> None:
    assume(not title.endswith("文件"))
    top = HEIGHT - 57
    lines = [_centred("中共示例县纪律检查委员会文件", 36.0, top), _centred("示纪发〔2023〕5号", 12.0, top - 60),
             _centred(title[:20], size, top - 100), *([_centred(title[20:], size, top - 100 - size * 1.3)]
                                                     if title[20:] else []),
             *_body(body, top - 100 - size * 3)]
    assert join_title(title_lines(lines, WIDTH, HEIGHT)) == title


def test_joining_keeps_a_space_between_latin_words_only() -> None:
    run = [_centred("关于PPP", 20.0, 700.0), _centred("项目的通报", 20.0, 674.0)]
    assert join_title(run) == "关于PPP项目的通报"
    run = [_centred("示例 Project", 20.0, 700.0), _centred("Report 通报", 20.0, 674.0)]
    assert join_title(run) == "示例 Project Report 通报"


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    if why := fb.chromium_missing():
        pytest.skip(why)
    out = tmp_path_factory.mktemp("printed")
    return {name: fb.print_pdf((FIXTURES / f"{name}.html").read_text(encoding="utf-8"), out / f"{name}.pdf")
            .read_bytes() for name in PDF_SAMPLES}


@pytest.mark.parametrize("name", sorted(PDF_SAMPLES))
def test_printed_notice_title_comes_from_the_layout(printed: dict[str, bytes], settings: Settings, name: str) -> None:
    extracted = extract_bytes(printed[name], ".pdf", settings.extract_options())
    parsed = parse_document(extracted, f"{name}.pdf")
    title, publisher, date = PDF_SAMPLES[name]
    assert (parsed.title, parsed.publisher, parsed.published) == (title, publisher, date)
    assert not any("title composed" in w for w in parsed.warnings)
    # the title is not glued onto the first paragraph (a red header's number may come between), no masthead
    lines = parsed.text.split("\n")
    assert lines[0] == f"# {title}" and lines[1].startswith(("根据", "来源", "示科党〔2023〕18号"))
    assert "文件" not in "".join(lines[:3])


def test_printed_notices_ingested_by_the_cli(printed: dict[str, bytes], runner: CliRunner, tmp_path: Path) -> None:
    for name, data in printed.items():
        fb.write(tmp_path / "in" / f"{name}.pdf", data)
    result = runner.invoke(main, ["ingest", "--no-index", str(tmp_path / "in")])
    assert result.exit_code == 0, result.output
    for name, (title, publisher, date) in PDF_SAMPLES.items():
        shown = runner.invoke(main, ["show", "--json", str(tmp_path / "in" / f"{name}.pdf")])
        assert shown.exit_code == 0, shown.output
        doc = json.loads(shown.stdout)
        assert (doc["title"], doc["publisher"], doc["published"]) == (title, publisher, date)
        assert not any("title composed" in w for w in doc["warnings"]), doc["warnings"]
