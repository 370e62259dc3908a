from archive.normalize import fold_chars, normalize


def test_full_width_letters_digits_and_brackets_fold() -> None:
    assert normalize("２０２１年（一）ＡＢｃ") == "2021年(一)ABc"


def test_chinese_punctuation_stays() -> None:
    assert normalize("一是，二是。三是：“四”") == "一是，二是。三是：“四”"


def test_kangxi_radicals_fold_but_nothing_else() -> None:
    assert normalize("⾼度重视") == "高度重视"
    assert fold_chars("⾼") == "高" and len(fold_chars("⾼度")) == 2


def test_fold_is_length_preserving() -> None:
    text = "（２０２０）⾼Ａ　中文"
    assert len(fold_chars(text)) == len(text)


def test_spaces_between_chinese_removed_but_label_space_kept() -> None:
    assert normalize("中华 人民  共和国") == "中华人民共和国"
    assert normalize("第一条　为了 规范") == "第一条 为了规范"
    assert normalize("## 第一章  总则") == "## 第一章 总则"


def test_page_numbers_and_running_headers_removed() -> None:
    text = "示例市文件\n正文第一页\n- 1 -\f示例市文件\n第二页正文\n- 2 -\f示例市文件\n第三页\n3"
    assert normalize(text) == "正文第一页\n第二页正文\n第三页"


def test_pdf_lines_inside_a_sentence_are_joined() -> None:
    lines = ["为了规范政府采购行为，提高政府采购资金的使用效益，维护国家", "利益和社会公共利益，保护政府采购当事人的合法权益，促进廉",
             "政建设，制定本法。", "第二条 在中华人民共和国境内进行的政府采购适用本法。"]
    out = normalize("\n".join(lines), reflow=True).split("\n")
    assert out[0].startswith("为了规范") and out[0].endswith("制定本法。") and "国家利益" in out[0]
    assert out[1].startswith("第二条")


def test_control_and_zero_width_characters_removed() -> None:
    assert normalize("中\u200b文\x07") == "中文"


def test_radicals_supplement_folds_too() -> None:
    # Chromium-printed PDFs give ⻋ (U+2ECB) for 车 and ⺠ for 民: the supplement block, which NFKC leaves alone
    assert normalize("公务⽤⻋，⼈⺠") == "公务用车，人民"
