import pytest

from archive.numerals import article_label, cn_to_int


@pytest.mark.parametrize("text,value", [("二十六", 26), ("十五", 15), ("一百零八", 108), ("二〇二一", 2021),
                                        ("两千", 2000), ("十万", 100000), ("一千二百三十四", 1234), ("26", 26)])
def test_cn_to_int(text: str, value: int) -> None:
    assert cn_to_int(text) == value


def test_not_a_numeral() -> None:
    assert cn_to_int("条") is None
    assert cn_to_int("") is None


@pytest.mark.parametrize("n,label", [(1, "第一条"), (10, "第十条"), (11, "第十一条"), (26, "第二十六条"),
                                     (105, "第一百零五条"), (110, "第一百一十条"), (100, "第一百条")])
def test_article_label_round_trips(n: int, label: str) -> None:
    assert article_label(n) == label
    assert cn_to_int(label[1:-1]) == n
