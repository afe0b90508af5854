"""Specification of the case deadlines: 行政处罚法 第八十五条 (“二日”“三日”“五日”“七日” are working days),
第五十六条、第六十条、第六十一条、第六十四条、第六十七条、第七十二条, on the real calendar file."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.cases.deadlines import (
    PERIOD_NAMES,
    PERIOD_RULES,
    DeadlineExtension,
    Periods,
    days_late,
    decision_deadline,
    due_soon,
    earliest_hearing_date,
    hearing_request_deadline,
    late_fee_fen,
    overdue,
    payment_due_date,
    preservation_decision_deadline,
    service_deadline,
    statement_deadline,
)

from . import CALENDAR, GENERAL, cst

# --- working-day periods (第八十五条) ---


def test_statement_period_of_5_working_days_skips_the_spring_festival_and_counts_the_make_up_sunday() -> None:
    # Notice served Friday 24 January 2025. Sunday 26 January is a make-up workday (1), Monday 27 (2); 28 January
    # to 4 February are off; then 5, 6, 7 February (3, 4, 5).
    assert statement_deadline(CALENDAR, cst(2025, 1, 24), 5) == date(2025, 2, 7)


def test_hearing_request_period_of_5_working_days_skips_national_day_art_64() -> None:
    # Notice served Tuesday 30 September 2025; 1–8 October off; 9, 10, Saturday 11 (make-up), 13, 14 October.
    assert hearing_request_deadline(CALENDAR, cst(2025, 9, 30), 5) == date(2025, 10, 14)


def test_service_within_7_working_days_spans_national_day_2024_art_61() -> None:
    # Decided Monday 30 September 2024; 1–7 October off; 8, 9, 10, 11, Saturday 12 (make-up), 14, 15 October.
    assert service_deadline(CALENDAR, cst(2024, 9, 30), 7) == date(2024, 10, 15)


def test_hearing_notice_of_7_working_days_spans_the_2026_spring_festival_art_64() -> None:
    # Notified Tuesday 10 February 2026: 11, 12, 13, Saturday 14 (make-up), then 15–23 off, then 24, 25, 26.
    assert earliest_hearing_date(CALENDAR, cst(2026, 2, 10), 7) == date(2026, 2, 26)


def test_preservation_decision_within_7_working_days_counts_both_make_up_days_art_56() -> None:
    # Registered Friday 27 September 2024: Sunday 29 (make-up), 30; 1–7 October off; 8, 9, 10, 11, Saturday 12.
    assert preservation_decision_deadline(CALENDAR, cst(2024, 9, 27), 7) == date(2024, 10, 12)


def test_the_day_of_the_event_is_counted_in_asia_shanghai() -> None:
    # 23:30 UTC on 23 January is 07:30 on 24 January in Shanghai: the period starts from the 24th.
    late_evening_utc = datetime(2025, 1, 23, 23, 30, tzinfo=UTC)
    assert statement_deadline(CALENDAR, late_evening_utc, 5) == statement_deadline(CALENDAR, cst(2025, 1, 24), 5)


def test_a_service_period_into_a_year_without_a_notice_is_counted_provisionally() -> None:
    # Decided Monday 28 December 2026: Tue 29 1, Wed 30 2, Thu 31 3, Fri 1 Jan is New Year's Day, Mon 4 4,
    # Tue 5 5, Wed 6 6, Thu 7 7 — counted on weekends and the statutory holidays until 2027's notice is loaded.
    assert service_deadline(CALENDAR, cst(2026, 12, 28), 7) == date(2027, 1, 7)


# --- calendar-day periods ---


def test_payment_due_15_calendar_days_after_receipt_moves_past_the_spring_festival_art_67() -> None:
    # Received 13 January 2025: day 15 is 28 January, the first day off; the period ends on 5 February.
    assert payment_due_date(CALENDAR, cst(2025, 1, 13), 15) == date(2025, 2, 5)


def test_decision_deadline_is_90_calendar_days_from_filing_art_60() -> None:
    # Filed 3 July 2025: day 90 is 1 October, National Day; the period ends on the first working day, 9 October.
    assert decision_deadline(CALENDAR, cst(2025, 7, 3), 90) == date(2025, 10, 9)


def test_decision_deadline_grows_by_extensions_approved_before_it_ends_art_60() -> None:
    extension = DeadlineExtension(30, cst(2025, 5, 30), "head-1")
    # Filed 3 March 2025: 90 days end on Tuesday 3 June (1 June is a Sunday in the Dragon Boat holiday);
    # 120 days end on Tuesday 1 July.
    assert decision_deadline(CALENDAR, cst(2025, 3, 3), 90) == date(2025, 6, 3)
    assert decision_deadline(CALENDAR, cst(2025, 3, 3), 90, [extension]) == date(2025, 7, 1)


def test_an_extension_approved_after_the_deadline_passed_cannot_revive_it_art_60() -> None:
    late = DeadlineExtension(30, cst(2025, 6, 4), "head-1")
    with pytest.raises(ValueError, match="after the decision deadline 2025-06-03"):
        decision_deadline(CALENDAR, cst(2025, 3, 3), 90, [late])


def test_an_extension_is_at_least_one_day_and_dated_with_a_time_zone() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        DeadlineExtension(0, cst(2025, 5, 30), "head-1")
    with pytest.raises(ValueError, match="naive"):
        DeadlineExtension(30, datetime(2025, 5, 30, 10), "head-1")  # noqa: DTZ001 -- the point of the test


# --- late fee (第七十二条第一项) ---


@pytest.mark.parametrize(
    ("paid_on", "fee"),
    [
        (date(2025, 2, 5), 0),  # the last day of the period
        (date(2025, 2, 6), 300),  # one day late: 3 % of 10,000 fen
        (date(2025, 2, 15), 3_000),  # ten days late
        (date(2025, 3, 11), 10_000),  # 34 days late would be 10,200 fen: capped at the fine
        (date(2025, 12, 31), 10_000),
    ],
)
def test_late_fee_is_3_percent_a_day_capped_at_the_fine_art_72(paid_on: date, fee: int) -> None:
    assert late_fee_fen(10_000, date(2025, 2, 5), paid_on, 300) == fee


def test_late_fee_is_rounded_down_to_whole_fen() -> None:
    # 3 % of 333 fen is 9.99 fen a day.
    assert late_fee_fen(333, date(2025, 2, 5), date(2025, 2, 6), 300) == 9
    assert late_fee_fen(333, date(2025, 2, 5), date(2025, 2, 8), 300) == 29


@given(
    fine=st.integers(min_value=0, max_value=10**10),
    late=st.integers(min_value=0, max_value=400),
    rate=st.integers(min_value=0, max_value=300),
)
def test_late_fee_never_exceeds_the_fine_and_never_falls_with_time(fine: int, late: int, rate: int) -> None:
    due = date(2025, 1, 1)
    fee = late_fee_fen(fine, due, date.fromordinal(due.toordinal() + late), rate)
    later = late_fee_fen(fine, due, date.fromordinal(due.toordinal() + late + 1), rate)
    assert 0 <= fee <= later <= fine


def test_days_late_is_zero_up_to_the_last_day() -> None:
    assert days_late(date(2025, 2, 5), date(2025, 2, 1)) == 0
    assert days_late(date(2025, 2, 5), date(2025, 2, 5)) == 0
    assert days_late(date(2025, 2, 5), date(2025, 2, 7)) == 2


# --- warnings ---


def test_overdue_only_after_the_last_day_in_asia_shanghai() -> None:
    assert not overdue(date(2025, 2, 7), cst(2025, 2, 7, 23))
    assert overdue(date(2025, 2, 7), cst(2025, 2, 8, 0))
    assert overdue(date(2025, 2, 7), datetime(2025, 2, 7, 16, 30, tzinfo=UTC))  # 00:30 on the 8th in Shanghai


def test_due_soon_counts_working_days_so_a_holiday_does_not_hide_a_deadline() -> None:
    # On Friday 24 January 2025 three working days remain before the deadline of 5 February, eleven calendar
    # days away: Sunday 26 January (make-up), Monday 27 January, then — after the holiday — 5 February itself.
    assert not due_soon(CALENDAR, date(2025, 2, 5), cst(2025, 1, 24), 2)
    assert due_soon(CALENDAR, date(2025, 2, 5), cst(2025, 1, 24), 3)
    assert due_soon(CALENDAR, date(2025, 2, 5), cst(2025, 2, 5), 0)
    assert not due_soon(CALENDAR, date(2025, 2, 5), cst(2025, 2, 6), 3)  # overdue, not due soon


@given(
    today=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 11, 30)),
    ahead=st.integers(min_value=-3, max_value=400),
    window=st.integers(min_value=0, max_value=15),
)
def test_due_soon_is_the_count_of_working_days_left_against_the_window(today: date, ahead: int, window: int) -> None:
    # due_soon counts only as far as the window; it must agree with counting every working day up to the deadline.
    deadline = date.fromordinal(today.toordinal() + ahead)
    now = cst(today.year, today.month, today.day, 12)
    counted = today <= deadline and CALENDAR.workdays_between(today, deadline) <= window
    assert due_soon(CALENDAR, deadline, now, window) == counted


# --- the periods of the workflows ---


def test_every_period_has_a_legal_bound() -> None:
    assert {rule.name for rule in PERIOD_RULES} == PERIOD_NAMES == {f.name for f in dataclasses.fields(Periods)}


def test_the_general_procedure_uses_the_lengths_of_the_law() -> None:
    assert GENERAL.periods == Periods(
        statement_working_days=5,
        hearing_request_working_days=5,
        hearing_notice_working_days=7,
        service_working_days=7,
        payment_calendar_days=15,
        late_fee_basis_points_per_day=300,
        decision_calendar_days=90,
        preservation_decision_working_days=7,
    )


def test_a_period_the_workflow_does_not_set_cannot_be_read() -> None:
    with pytest.raises(LookupError, match="statement_working_days"):
        Periods(payment_calendar_days=15).require("statement_working_days")
