"""Specification of the working-day calendar (行政处罚法 第八十五条; 民法典 第二百零一条、第二百零三条)."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.policy.calendar import (
    CalendarFileError,
    CalendarNoticeError,
    CalendarRangeError,
    WorkdayCalendar,
    load_calendar,
    local_date,
    parse_notice,
    read_notice_file,
)

from ..cases.test_year_boundary import NOTICE_2027 as NOTICE_2027_CONTENT

CALENDAR_FILE = Path(__file__).resolve().parents[2] / "policies" / "calendar" / "cn-workdays.yaml"
CALENDAR = load_calendar(CALENDAR_FILE)
# The 2027 notice made up for the tests (tests/cases/test_year_boundary.py): New Year's Eve given off and Sunday
# 27 December 2026 worked; Spring Festival 5–13 February with 31 January and 20 February worked.
NOTICE_2027 = parse_notice({**NOTICE_2027_CONTENT, "year": 2027})

COVERED = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 11, 30))


# --- the data ---


@pytest.mark.parametrize(("year", "statutory_days"), [(2024, 11), (2025, 13), (2026, 13)])
def test_each_year_gives_exactly_the_statutory_holidays_net_of_make_up_days(year: int, statutory_days: int) -> None:
    # 全国年节及纪念日放假办法: 11 statutory days, 13 from 2025 (Spring Festival and Labour Day +1 each).
    # Statutory days on a weekend are compensated, so weekdays off minus make-up workdays equals that count.
    days = [date(year, 1, 1) + timedelta(days=i) for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]
    weekdays_off = sum(1 for d in days if d.weekday() < 5 and not CALENDAR.is_workday(d))
    makeup = sum(1 for d in days if d.weekday() >= 5 and CALENDAR.is_workday(d))
    assert weekdays_off - makeup == statutory_days


def test_each_year_names_its_state_council_notice() -> None:
    assert {y: c.notice for y, c in CALENDAR.years.items()} == {
        2024: "国办发明电〔2023〕7号",
        2025: "国办发明电〔2024〕12号",
        2026: "国办发明电〔2025〕7号",
    }


def test_version_is_the_content_hash_of_the_file() -> None:
    assert CALENDAR.version.startswith("sha256:")
    assert load_calendar(CALENDAR_FILE).version == CALENDAR.version


# --- is_workday ---


def test_ordinary_weekdays_are_workdays_and_weekends_are_not() -> None:
    assert CALENDAR.is_workday(date(2025, 3, 7))  # Friday
    assert not CALENDAR.is_workday(date(2025, 3, 8))  # Saturday
    assert not CALENDAR.is_workday(date(2025, 3, 9))  # Sunday


def test_holiday_weekdays_are_not_workdays() -> None:
    assert not CALENDAR.is_workday(date(2025, 1, 28))  # 除夕, a statutory holiday from 2025
    assert not CALENDAR.is_workday(date(2025, 10, 8))  # last day of 2025 National Day + Mid-Autumn


def test_make_up_weekend_days_are_workdays() -> None:
    assert CALENDAR.is_workday(date(2025, 1, 26))  # Sunday before the 2025 Spring Festival
    assert CALENDAR.is_workday(date(2025, 10, 11))  # Saturday after the 2025 National Day
    assert CALENDAR.is_workday(date(2026, 9, 20))  # Sunday, listed under the 2026 National Day


def test_2024_new_years_eve_of_the_lunar_year_was_a_workday() -> None:
    # Before the 2024 revision 除夕 was not a holiday; the notice only encouraged leave on 9 February.
    assert CALENDAR.is_workday(date(2024, 2, 9))


def test_a_year_without_a_notice_counts_weekends_and_the_statutory_holidays_provisionally() -> None:
    # 2027 has no notice yet. Spring Festival 2027: 除夕 Fri 5 Feb, 初一–初三 Sat 6–Mon 8 Feb; the two days on the
    # weekend are given back on Tue 9 and Wed 10 (the library's usual days off). No make-up workdays.
    assert 2027 not in CALENDAR.years
    assert CALENDAR.is_workday(date(2027, 2, 4))
    assert [CALENDAR.is_workday(date(2027, 2, d)) for d in range(5, 11)] == [False] * 6
    assert CALENDAR.is_workday(date(2027, 2, 11))
    assert not CALENDAR.is_workday(date(2027, 1, 1))  # New Year's Day, a Friday
    assert not CALENDAR.is_workday(date(2027, 1, 31))  # an ordinary Sunday: no make-up workday is guessed
    assert not CALENDAR.is_settled(date(2027, 2, 4))


def test_december_is_settled_only_once_the_next_years_notice_is_loaded() -> None:
    # A notice may give days off or make-up workdays in the December before its year (2019's began on 30 Dec 2018).
    assert CALENDAR.is_settled(date(2025, 12, 31))
    assert CALENDAR.is_settled(date(2026, 11, 30))
    assert not CALENDAR.is_settled(date(2026, 12, 1))
    assert CALENDAR.provisional_within(date(2026, 11, 25), date(2026, 12, 1))
    assert not CALENDAR.provisional_within(date(2026, 11, 2), date(2026, 11, 30))


def test_a_year_beyond_the_holiday_rules_is_refused_not_guessed() -> None:
    with pytest.raises(CalendarRangeError, match="2101"):
        CALENDAR.is_workday(date(2101, 1, 4))
    with pytest.raises(CalendarRangeError, match="1949"):
        CALENDAR.is_workday(date(1949, 12, 29))


# --- working-day periods (art. 85) ---


def test_the_start_day_is_not_counted() -> None:
    assert CALENDAR.add_workdays(date(2025, 3, 3), 1) == date(2025, 3, 4)


def test_working_days_skip_the_weekend() -> None:
    # Served on Friday 7 March 2025: 3 working days are Mon 10, Tue 11, Wed 12.
    assert CALENDAR.add_workdays(date(2025, 3, 7), 3) == date(2025, 3, 12)


def test_a_period_starting_on_a_weekend_begins_on_monday() -> None:
    assert CALENDAR.add_workdays(date(2025, 3, 8), 1) == date(2025, 3, 10)


def test_five_working_days_across_the_2025_spring_festival() -> None:
    # From Friday 24 Jan 2025: Sun 26 (make-up) 1, Mon 27 2, holiday 28 Jan–4 Feb, Wed 5 3, Thu 6 4, Fri 7 5.
    assert CALENDAR.add_workdays(date(2025, 1, 24), 5) == date(2025, 2, 7)


def test_seven_working_days_across_the_2025_national_day() -> None:
    # From Friday 26 Sep 2025: Sun 28 (make-up) 1, Mon 29 2, Tue 30 3, holiday 1–8 Oct,
    # Thu 9 4, Fri 10 5, Sat 11 (make-up) 6, Mon 13 7.
    assert CALENDAR.add_workdays(date(2025, 9, 26), 7) == date(2025, 10, 13)


def test_a_period_starting_on_a_holiday_counts_from_the_first_workday_after_it() -> None:
    assert CALENDAR.add_workdays(date(2026, 2, 17), 2) == date(2026, 2, 25)


def test_five_working_days_across_the_2027_spring_festival_without_a_notice() -> None:
    # From Wed 3 Feb 2027: Thu 4 is 1; 5–10 Feb are off; Thu 11 2, Fri 12 3, Mon 15 4, Tue 16 5.
    assert CALENDAR.add_workdays(date(2027, 2, 3), 5) == date(2027, 2, 16)
    assert CALENDAR.provisional_within(date(2027, 2, 4), date(2027, 2, 16))


def test_five_working_days_across_the_2027_spring_festival_with_a_notice() -> None:
    # The same period counted on a notice giving 5–13 Feb off, with Sun 31 Jan and Sat 20 Feb worked:
    # Thu 4 is 1; Mon 15 2, Tue 16 3, Wed 17 4, Thu 18 5.
    official = CALENDAR.with_notices([NOTICE_2027], "test")
    assert official.add_workdays(date(2027, 2, 3), 5) == date(2027, 2, 18)
    # And from Fri 29 Jan the make-up Sunday counts: Sun 31 1, Mon 1 Feb 2, ..., Thu 4 5.
    assert official.add_workdays(date(2027, 1, 29), 5) == date(2027, 2, 4)
    assert not official.provisional_within(date(2027, 1, 30), date(2027, 11, 30))


def test_seven_working_days_across_the_2027_national_day_without_a_notice() -> None:
    # 1–3 Oct 2027 are Fri–Sun; the weekend days are given back on Mon 4 and Tue 5. From Thu 30 Sep:
    # Wed 6 1, Thu 7 2, Fri 8 3, Mon 11 4, Tue 12 5, Wed 13 6, Thu 14 7.
    assert CALENDAR.add_workdays(date(2027, 9, 30), 7) == date(2027, 10, 14)


def test_a_notice_replaces_the_provisional_year_and_changes_the_version() -> None:
    official = CALENDAR.with_notices([NOTICE_2027], "test")
    assert official.years[2027].notice == NOTICE_2027.notice
    assert official.version != CALENDAR.version
    assert CALENDAR.with_notices([NOTICE_2027], "again").version == official.version
    assert official.is_workday(date(2027, 1, 31))  # the make-up Sunday


def test_a_notice_may_move_the_december_before_its_year() -> None:
    official = CALENDAR.with_notices([NOTICE_2027], "test")
    assert not CALENDAR.is_workday(date(2026, 12, 27))  # a Sunday
    assert official.is_workday(date(2026, 12, 27))  # worked for New Year's Eve given off
    assert not official.is_workday(date(2026, 12, 31))
    assert official.is_settled(date(2026, 12, 31))


@pytest.mark.parametrize("n", [0, -1])
def test_a_period_of_no_days_is_refused(n: int) -> None:
    with pytest.raises(ValueError, match="at least one day"):
        CALENDAR.add_workdays(date(2025, 3, 3), n)
    with pytest.raises(ValueError, match="at least one day"):
        CALENDAR.calendar_deadline(date(2025, 3, 3), n)


def test_workdays_between_counts_after_the_start_up_to_the_end() -> None:
    assert CALENDAR.workdays_between(date(2025, 1, 24), date(2025, 2, 7)) == 5
    assert CALENDAR.workdays_between(date(2025, 3, 3), date(2025, 3, 3)) == 0


def test_workdays_between_refuses_an_end_before_the_start() -> None:
    with pytest.raises(ValueError, match="before the start"):
        CALENDAR.workdays_between(date(2025, 3, 4), date(2025, 3, 3))


# --- calendar-day periods (民法典 第二百零三条) ---


def test_calendar_days_are_plain_arithmetic() -> None:
    assert CALENDAR.add_calendar_days(date(2025, 9, 16), 15) == date(2025, 10, 1)


def test_a_calendar_day_period_ending_in_a_holiday_ends_on_the_first_workday_after_it() -> None:
    # 15 days to pay (art. 67) from 16 Sep 2025 fall on 1 Oct; the holiday runs to 8 Oct.
    assert CALENDAR.calendar_deadline(date(2025, 9, 16), 15) == date(2025, 10, 9)


def test_the_90_day_decision_period_ending_in_the_2026_spring_festival_moves_past_it() -> None:
    # Filed 17 Nov 2025 (art. 60): day 90 is Sunday 15 Feb 2026, first day of the holiday to 23 Feb.
    assert CALENDAR.add_calendar_days(date(2025, 11, 17), 90) == date(2026, 2, 15)
    assert CALENDAR.calendar_deadline(date(2025, 11, 17), 90) == date(2026, 2, 24)


def test_a_calendar_day_period_ending_on_a_sunday_ends_on_monday() -> None:
    assert CALENDAR.calendar_deadline(date(2025, 3, 1), 15) == date(2025, 3, 17)


def test_a_calendar_day_period_ending_on_a_make_up_saturday_ends_that_day() -> None:
    assert CALENDAR.calendar_deadline(date(2025, 9, 26), 15) == date(2025, 10, 11)


def test_a_calendar_day_period_ending_on_a_workday_is_not_moved() -> None:
    assert CALENDAR.calendar_deadline(date(2025, 3, 3), 15) == date(2025, 3, 18)


# --- properties ---


@given(start=COVERED, n=st.integers(min_value=1, max_value=20))
def test_a_working_day_period_ends_on_a_workday_and_is_inverted_by_workdays_between(start: date, n: int) -> None:
    end = CALENDAR.add_workdays(start, n)
    assert end > start
    assert CALENDAR.is_workday(end)
    assert CALENDAR.workdays_between(start, end) == n
    # and it ends on the first day that completes the count
    assert CALENDAR.workdays_between(start, end - timedelta(days=1)) == n - 1


@given(start=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 9, 30)), n=st.integers(1, 90))
def test_a_calendar_day_deadline_is_the_first_workday_on_or_after_the_nth_day(start: date, n: int) -> None:
    nth = CALENDAR.add_calendar_days(start, n)
    deadline = CALENDAR.calendar_deadline(start, n)
    assert CALENDAR.is_workday(deadline)
    assert all(not CALENDAR.is_workday(nth + timedelta(days=i)) for i in range((deadline - nth).days))


@given(day=COVERED)
def test_only_listed_days_depart_from_the_monday_to_friday_week(day: date) -> None:
    listed = {
        d
        for year in CALENDAR.years.values()
        for period in year.periods
        for d in (*period.days_off(), *period.makeup_workdays)
    }
    if day not in listed:
        assert CALENDAR.is_workday(day) == (day.weekday() < 5)


# --- local dates ---


def test_local_date_is_the_date_in_shanghai() -> None:
    assert local_date(datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)) == date(2026, 12, 31)
    assert local_date(datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == date(2027, 1, 1)
    assert local_date(datetime(2026, 12, 31, 11, 0, tzinfo=timezone(timedelta(hours=-5)))) == date(2027, 1, 1)


def test_local_date_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_date(datetime(2026, 12, 31, 12, 0))  # noqa: DTZ001 -- the case under test


# --- invalid files are refused ---

VALID_YEAR = """\
years:
  2025:
    notice: 国办发明电〔2024〕12号
    title: 国务院办公厅关于2025年部分节假日安排的通知
    issued_on: 2024-11-12
    periods:
{periods}
"""


def _write(tmp_path: Path, periods: str, template: str = VALID_YEAR) -> Path:
    path = tmp_path / "calendar.yaml"
    path.write_text(template.format(periods=textwrap.indent(textwrap.dedent(periods), " " * 6)), encoding="utf-8")
    return path


def test_a_minimal_valid_file_loads(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "- {name: 劳动节, name_en: Labour Day, first: 2025-05-01, last: 2025-05-05,\n   makeup_workdays: [2025-04-27]}",
    )
    calendar = load_calendar(path)
    assert isinstance(calendar, WorkdayCalendar)
    assert calendar.is_workday(date(2025, 4, 27))
    assert not calendar.is_workday(date(2025, 5, 5))


@pytest.mark.parametrize(
    ("periods", "field", "problem"),
    [
        pytest.param(
            """\
            - {name: 劳动节, name_en: Labour Day, first: 2025-05-01, last: 2025-05-05,
               makeup_workdays: [2025-05-03]}
            """,
            "years.2025.periods[0].makeup_workdays[0]",
            "already listed at years.2025.periods[0] (day off)",
            id="a day both off and a make-up workday",
        ),
        pytest.param(
            """\
            - {name: 劳动节, name_en: Labour Day, first: 2025-05-01, last: 2025-05-05,
               makeup_workdays: [2025-04-28]}
            """,
            "years.2025.periods[0].makeup_workdays[0]",
            "is a Monday",
            id="a make-up workday that is not a weekend day",
        ),
        pytest.param(
            """\
            - {name: 元旦, name_en: New Year's Day, first: 2024-11-30, last: 2025-01-01, makeup_workdays: []}
            """,
            "years.2025.periods[0].first",
            "outside the year 2025 and the December before it",
            id="a holiday outside its year",
        ),
        pytest.param(
            """\
            - {name: 清明节, name_en: Qingming, first: 2025-04-04, last: 2025-04-06, makeup_workdays: []}
            - {name: 清明节, name_en: Qingming, first: 2025-04-06, last: 2025-04-06, makeup_workdays: []}
            """,
            "years.2025.periods[1] (day off)",
            "2025-04-06 is already listed at years.2025.periods[0] (day off)",
            id="a day off listed twice",
        ),
        pytest.param(
            """\
            - {name: 劳动节, name_en: Labour Day, first: 2025-05-01, last: 2025-05-05,
               makeup_workdays: [2025-04-27, 2025-04-27]}
            """,
            "years.2025.periods[0].makeup_workdays[1]",
            "already listed at years.2025.periods[0].makeup_workdays[0]",
            id="a make-up workday listed twice",
        ),
        pytest.param(
            """\
            - {name: 劳动节, name_en: Labour Day, first: 2025-05-05, last: 2025-05-01, makeup_workdays: []}
            """,
            "years.2025.periods[0].last",
            "before first",
            id="a period ending before it starts",
        ),
        pytest.param(
            """\
            - {name: 劳动节, name_en: Labour Day, first: "2025-05-01", last: 2025-05-05, makeup_workdays: []}
            """,
            "years.2025.periods[0].first",
            "must be a date",
            id="a quoted date",
        ),
        pytest.param(
            """\
            - {name: 劳动节, name_en: Labour Day, first: 2025-05-01, last: 2025-05-05}
            """,
            "years.2025.periods[0]",
            "missing keys ['makeup_workdays']",
            id="a missing field",
        ),
        pytest.param(
            """\
            - {name: 劳动节, name_en: Labour Day, first: 2025-05-01, last: 2025-05-05, makeup_workdays: [],
               makeup: [2025-04-27]}
            """,
            "years.2025.periods[0]",
            "unknown keys ['makeup']",
            id="a misspelt field",
        ),
    ],
)
def test_an_invalid_file_is_refused_naming_the_file_and_field(
    tmp_path: Path, periods: str, field: str, problem: str
) -> None:
    path = _write(tmp_path, periods)
    with pytest.raises(CalendarFileError) as refused:
        load_calendar(path)
    assert refused.value.path == path
    assert refused.value.field == field
    assert problem in refused.value.problem
    assert str(path) in str(refused.value)


def test_a_year_given_twice_is_refused_rather_than_silently_overwritten(tmp_path: Path) -> None:
    template = VALID_YEAR + VALID_YEAR.removeprefix("years:\n")
    path = _write(
        tmp_path,
        "- {name: 元旦, name_en: New Year's Day, first: 2025-01-01, last: 2025-01-01, makeup_workdays: []}",
        template,
    )
    with pytest.raises(CalendarFileError, match="duplicate key 2025"):
        load_calendar(path)


def test_a_year_key_that_is_not_a_year_is_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "- {name: 元旦, name_en: New Year's Day, first: 2025-01-01, last: 2025-01-01, makeup_workdays: []}",
        VALID_YEAR.replace("  2025:", "  twenty-five:"),
    )
    with pytest.raises(CalendarFileError, match=r"years\.twenty-five: must be an integer"):
        load_calendar(path)


# --- a notice given to load is refused whole, with every problem listed ---


def _notice_2027(*periods: dict[str, object]) -> dict[str, object]:
    return {
        "year": 2027,
        "notice": "国办发明电〔2026〕99号",
        "title": "国务院办公厅关于2027年部分节假日安排的通知",
        "issued_on": "2026-11-20",
        "periods": list(periods),
    }


def _period(name: str, first: str, last: str, *makeup: str, **more: object) -> dict[str, object]:
    return {"name": name, "name_en": name, "first": first, "last": last, "makeup_workdays": list(makeup), **more}


def test_a_notice_is_refused_whole_listing_every_problem_of_its_shape() -> None:
    with pytest.raises(CalendarNoticeError) as refused:
        parse_notice(
            _notice_2027(
                _period("春节", "2027-02-05", "2027-02-13", "2027-02-06"),
                _period("元旦", "2027-01-01", "2027-01-01", "2027-1-2"),
                _period("清明节", "2027-04-05", "2027-04-05", extra=1),
                _period("劳动节", "2027-05-05", "2027-05-01"),
            )
        )
    problems = refused.value.problems
    assert any("<notice>.periods[1].makeup_workdays[0]" in p and "must be a date" in p for p in problems)
    assert any("<notice>.periods[2]" in p and "unknown keys ['extra']" in p for p in problems)
    assert any("<notice>.periods[3].last" in p and "before first" in p for p in problems)


def test_a_notice_is_refused_whole_listing_every_date_out_of_place() -> None:
    with pytest.raises(CalendarNoticeError) as refused:
        parse_notice(
            _notice_2027(
                # 6 February is both a day off and a make-up workday.
                _period("春节", "2027-02-05", "2027-02-13", "2027-02-06"),
                # November 2026 is neither in 2027 nor in the December before it.
                _period("元旦", "2026-11-30", "2027-01-01"),
                _period("清明节", "2027-04-05", "2027-04-05"),
            )
        )
    problems = refused.value.problems
    assert any("<notice>.periods[0].makeup_workdays[0]" in p and "2027-02-06 is already listed" in p for p in problems)
    assert any("<notice>.periods[1].first" in p and "outside the year 2027" in p for p in problems)


def test_a_notice_dated_in_the_december_before_its_year_is_accepted() -> None:
    assert NOTICE_2027.periods[0].first == date(2026, 12, 31)
    assert NOTICE_2027.periods[0].makeup_workdays == (date(2026, 12, 27),)


def test_a_notice_file_in_yaml_loads(tmp_path: Path) -> None:
    path = tmp_path / "2027.yaml"
    path.write_text(
        "year: 2027\nnotice: 国办发明电〔2026〕99号\ntitle: 国务院办公厅关于2027年部分节假日安排的通知\n"
        "issued_on: 2026-11-20\nperiods:\n"
        "  - {name: 元旦, name_en: New Year's Day, first: 2026-12-31, last: 2027-01-03,"
        " makeup_workdays: [2026-12-27]}\n"
        "  - {name: 春节, name_en: Spring Festival, first: 2027-02-05, last: 2027-02-13,"
        " makeup_workdays: [2027-01-31, 2027-02-20]}\n",
        encoding="utf-8",
    )
    assert read_notice_file(path) == NOTICE_2027
