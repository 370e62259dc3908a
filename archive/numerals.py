"""Chinese numerals: 二十六 → 26, 二〇二一 → 2021."""

from __future__ import annotations

DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
          "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
CN_NUM_CHARS = "".join(DIGITS) + "".join(UNITS) + "".join(BIG_UNITS)
ORDINALS = "一二三四五六七八九十"


def cn_to_int(text: str) -> int | None:
    """Convert a Chinese (or Arabic) numeral to int; None when it is not one."""
    text = text.strip()
    if not text:
        return None
    if text.isdecimal():  # not isdigit: ¹ or ① are digits int() refuses
        return int(text)
    if any(ch not in DIGITS and ch not in UNITS and ch not in BIG_UNITS for ch in text):
        return None
    if all(ch in DIGITS for ch in text) and len(text) > 1:
        # digit-by-digit form used for years: 二〇二一
        return int("".join(str(DIGITS[ch]) for ch in text))
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            section += (1 if digit is None else digit) * UNITS[ch]
            digit = None
        else:  # 万 / 亿
            section += digit or 0
            total = (total + section) * BIG_UNITS[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def int_to_cn(n: int) -> str:
    """Render a positive int below 10000 as a Chinese numeral (26 → 二十六), as used in 第…条."""
    if n <= 0 or n >= 10_000:
        return str(n)
    names = "零一二三四五六七八九"
    out: list[str] = []
    parts = [(n // 1000, "千"), (n // 100 % 10, "百"), (n // 10 % 10, "十"), (n % 10, "")]
    zero_pending = False
    for value, unit in parts:
        if value == 0:
            zero_pending = bool(out)
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(names[value] + unit)
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text


def article_label(number: int) -> str:
    """26 → 第二十六条."""
    return f"第{int_to_cn(number)}条"
