"""Amounts in Chinese capitals (大写) and dates as documents print them."""

from __future__ import annotations

from datetime import date

import pytest

from service.documents.amounts import (
    MAX_FEN,
    amount_in_capitals,
    amount_in_figures,
    date_in_chinese,
    number_in_chinese,
)


@pytest.mark.parametrize(
    ("fen", "capitals"),
    [
        (0, "零元整"),
        (5, "伍分"),
        (50, "伍角整"),  # 整 after 角 is optional (支付结算办法 附一); written here
        (100, "壹元整"),
        (5000, "伍拾元整"),
        (30000, "叁佰元整"),
        (200000, "贰仟元整"),
        (123456, "壹仟贰佰叁拾肆元伍角陆分"),
        (100005, "壹仟元零伍分"),
        (101000, "壹仟零壹拾元整"),
        (1000500, "壹万零伍元整"),
        (10000000, "壹拾万元整"),
        (100000000, "壹佰万元整"),
        (1000010000, "壹仟万零壹佰元整"),
        (10000000000, "壹亿元整"),
        (10001000000, "壹亿零壹万元整"),
    ],
)
def test_amounts_in_capitals(fen: int, capitals: str) -> None:
    assert amount_in_capitals(fen) == capitals


def test_amounts_outside_the_range_are_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        amount_in_capitals(-1)
    with pytest.raises(ValueError, match="outside"):
        amount_in_capitals(MAX_FEN + 1)


def test_amounts_in_figures_drop_zero_cents() -> None:
    assert amount_in_figures(200000) == "2000元"
    assert amount_in_figures(123456) == "1234.56元"
    assert amount_in_figures(5) == "0.05元"


def test_dates_have_no_leading_zeros_and_the_year_turns() -> None:
    assert date_in_chinese(date(2026, 12, 2)) == "2026年12月2日"
    assert date_in_chinese(date(2027, 1, 1)) == "2027年1月1日"


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (10, "十"),
        (13, "十三"),
        (20, "二十"),
        (33, "三十三"),
        (105, "一百零五"),
        (111, "一百一十一"),
        (1001, "一千零一"),
    ],
)
def test_article_numbers_in_chinese(n: int, text: str) -> None:
    assert number_in_chinese(n) == text
