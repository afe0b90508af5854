"""Amounts and dates as enforcement documents print them: ``2000.00元（贰仟元整）``, ``2026年12月2日``.

Money is integer fen everywhere in caseledger; a document prints it in figures and, where its template asks, in
the capitals (大写) that bank and finance practice requires so that an amount cannot be altered by a stroke.
Pure: no I/O.
"""

from __future__ import annotations

from datetime import date

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_GROUP_UNITS = ("", "万", "亿", "万亿")
MAX_FEN = 10**18 - 1  # below 1 万亿亿: the largest group unit above


def _group(n: int) -> str:
    """0 < n < 10000 in capitals, with the zeros inside it (1005 → 壹仟零伍)."""
    text = ""
    zero = False
    for position in range(3, -1, -1):
        digit = n // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += _DIGITS[digit] + _SMALL_UNITS[position]
    return text


def _integer(n: int) -> str:
    if n == 0:
        return "零"
    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    text = ""
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        value = groups[index]
        if value == 0:
            need_zero = bool(text)
            continue
        if text and (need_zero or value < 1000):
            text += "零"
        text += _group(value) + _GROUP_UNITS[index]
        need_zero = False
    return text


def amount_in_capitals(fen: int) -> str:
    """An amount of money in Chinese capitals: 200000 fen → 贰仟元整, 123456 → 壹仟贰佰叁拾肆元伍角陆分,
    5 → 伍分, 0 → 零元整."""
    if not 0 <= fen <= MAX_FEN:
        raise ValueError(f"amount {fen} fen is outside 0..{MAX_FEN}")
    yuan, rest = divmod(fen, 100)
    jiao, cents = divmod(rest, 10)
    if fen == 0:
        return "零元整"
    text = _integer(yuan) + "元" if yuan else ""
    if jiao == 0 and cents == 0:
        return text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if cents:
        text += _DIGITS[cents] + "分"
    else:
        text += "整"
    return text


_NUMERALS = "零一二三四五六七八九"


def number_in_chinese(n: int) -> str:
    """1 ≤ n ≤ 9999 as legal citations write it: 10 → 十, 33 → 三十三, 111 → 一百一十一, 105 → 一百零五."""
    if not 1 <= n <= 9999:
        raise ValueError(f"{n} is outside 1..9999")
    if 10 <= n < 20:
        return "十" + (_NUMERALS[n - 10] if n > 10 else "")
    text = ""
    zero = False
    for position, unit in ((3, "千"), (2, "百"), (1, "十"), (0, "")):
        digit = n // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += _NUMERALS[digit] + unit
    return text


def amount_in_figures(fen: int) -> str:
    """200000 → 2000元, 123456 → 1234.56元 (whole yuan printed without decimals)."""
    if fen < 0:
        raise ValueError("a negative amount")
    yuan, rest = divmod(fen, 100)
    return f"{yuan}元" if rest == 0 else f"{yuan}.{rest:02d}元"


def date_in_chinese(day: date) -> str:
    """2026-12-02 → 2026年12月2日: Arabic numerals without leading zeros (GB/T 9704-2012 7.3.5.4)."""
    return f"{day.year}年{day.month}月{day.day}日"
