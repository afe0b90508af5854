"""Working-day calendar for legal deadlines (法定期限), computed on dates in Asia/Shanghai.

Two kinds of period, and the rule for each:

- Working days (工作日). 行政处罚法 第八十五条: its “二日”“三日”“五日”“七日” are working days,
  not counting statutory holidays. A working day is Monday to Friday unless the State Council's notice
  gives it off, and a Saturday or Sunday only when the notice makes it a make-up workday (调休上班).
  See ``add_workdays``.
- Calendar days (自然日), e.g. the 15 days to pay (art. 67) and the 90 days to decide (art. 60).
  行政处罚法 has no rule for their end, so the general rule of 民法典 applies: the start day is not
  counted (第二百零一条), and when the last day is a statutory rest day (法定休假日) the period ends on
  the day after it (第二百零三条). A statutory rest day covers the notice's days off and the weekly rest
  days (公休日), so the period ends on the next working day; a make-up Saturday is a working day and
  ends the period. See ``calendar_deadline``.

The data comes from policies/calendar/cn-workdays.yaml, one year per State Council notice. A date in a
year the file does not cover raises ``CalendarRangeError``: an unknown year never counts as holiday-free.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from service.policy.strict_yaml import load_strict

SHANGHAI = ZoneInfo("Asia/Shanghai")

_SATURDAY = 5


class CalendarFileError(ValueError):
    """The calendar file is malformed; names the file and the field at fault."""

    def __init__(self, path: Path, field: str, problem: str) -> None:
        super().__init__(f"{path}: {field}: {problem}")
        self.path = path
        self.field = field
        self.problem = problem


class CalendarRangeError(LookupError):
    """A date falls in a year for which no State Council holiday notice is loaded."""

    def __init__(self, day: date, source: str, years: tuple[int, ...]) -> None:
        covered = ", ".join(str(y) for y in years) or "no year"
        super().__init__(
            f"no working-day calendar for {day.year} (needed for {day.isoformat()}): "
            f"{source} covers {covered}; add the State Council notice for {day.year} first"
        )
        self.day = day


@dataclass(frozen=True)
class HolidayPeriod:
    """One item of a notice: the days off (放假) and the weekend days worked instead (调休上班)."""

    name: str
    name_en: str
    first: date
    last: date
    makeup_workdays: tuple[date, ...]

    def days_off(self) -> tuple[date, ...]:
        return tuple(self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1))


@dataclass(frozen=True)
class CalendarYear:
    year: int
    notice: str  # 文号 of 国务院办公厅关于<year>年部分节假日安排的通知
    title: str
    issued_on: date
    periods: tuple[HolidayPeriod, ...]


def local_date(at: datetime) -> date:
    """The date in Asia/Shanghai of an aware moment; legal deadlines are counted on these dates."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"a naive datetime has no date in Asia/Shanghai: {at.isoformat()}")
    return at.astimezone(SHANGHAI).date()


class WorkdayCalendar:
    """Working days of the years covered by the loaded notices. Build it with ``load_calendar``."""

    def __init__(self, years: Iterable[CalendarYear], source: str, version: str) -> None:
        self.years: Mapping[int, CalendarYear] = {y.year: y for y in sorted(years, key=lambda y: y.year)}
        self.source = source
        # The file's content hash: a deadline recorded in the ledger names the calendar it came from.
        self.version = version
        self._days_off = frozenset(d for y in self.years.values() for p in y.periods for d in p.days_off())
        self._makeup = frozenset(d for y in self.years.values() for p in y.periods for d in p.makeup_workdays)

    def is_workday(self, d: date) -> bool:
        if d.year not in self.years:
            raise CalendarRangeError(d, self.source, tuple(self.years))
        if d in self._makeup:
            return True
        return d.weekday() < _SATURDAY and d not in self._days_off

    def add_workdays(self, start: date, n: int) -> date:
        """The last day of ``n`` working days counted after ``start`` (art. 85; the start is not counted)."""
        _require_positive(n)
        day = start
        remaining = n
        while remaining:
            day += timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def add_calendar_days(self, start: date, n: int) -> date:
        """``start`` plus ``n`` days, the start not counted; no rest-day rule (see ``calendar_deadline``)."""
        _require_positive(n)
        return start + timedelta(days=n)

    def calendar_deadline(self, start: date, n: int) -> date:
        """The last day of a period of ``n`` calendar days: moved past rest days (民法典 第二百零三条)."""
        day = self.add_calendar_days(start, n)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def workdays_between(self, a: date, b: date) -> int:
        """The number of working days after ``a`` up to and including ``b``; inverse of ``add_workdays``."""
        if b < a:
            raise ValueError(f"the end {b.isoformat()} is before the start {a.isoformat()}")
        return sum(self.is_workday(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))


def _require_positive(n: int) -> None:
    if n < 1:
        raise ValueError(f"a legal period is at least one day, got {n}")


def load_calendar(path: Path | str) -> WorkdayCalendar:
    """Read and validate the calendar file; any defect raises ``CalendarFileError`` naming the field."""
    path = Path(path)
    content = path.read_bytes()
    try:
        raw = load_strict(content)
    except yaml.YAMLError as exc:
        raise CalendarFileError(path, "<document>", f"not valid YAML: {exc}") from exc
    years = _parse_document(raw, _FieldErrors(path))
    return WorkdayCalendar(years, str(path), "sha256:" + hashlib.sha256(content).hexdigest())


@dataclass(frozen=True)
class _FieldErrors:
    path: Path

    def __call__(self, field: str, problem: str) -> CalendarFileError:
        return CalendarFileError(self.path, field, problem)


def _parse_document(raw: object, error: _FieldErrors) -> list[CalendarYear]:
    document = _mapping(raw, "<document>", {"years"}, error)
    years = document["years"]
    if not isinstance(years, dict) or not years:
        raise error("years", "must be a non-empty mapping of year to notice")
    return [_parse_year(key, value, error) for key, value in years.items()]


def _parse_year(key: object, raw: object, error: _FieldErrors) -> CalendarYear:
    field = f"years.{key}"
    if not isinstance(key, int) or isinstance(key, bool) or not 1000 <= key <= 9999:
        raise error(field, "a year must be a four-digit integer")
    entry = _mapping(raw, field, {"notice", "title", "issued_on", "periods"}, error)
    raw_periods = entry["periods"]
    if not isinstance(raw_periods, list) or not raw_periods:
        raise error(f"{field}.periods", "must be a non-empty list")
    periods = tuple(_parse_period(f"{field}.periods[{i}]", p, key, error) for i, p in enumerate(raw_periods))
    _check_each_date_once(field, periods, error)
    return CalendarYear(
        year=key,
        notice=_text(entry["notice"], f"{field}.notice", error),
        title=_text(entry["title"], f"{field}.title", error),
        issued_on=_date(entry["issued_on"], f"{field}.issued_on", error),
        periods=periods,
    )


def _parse_period(field: str, raw: object, year: int, error: _FieldErrors) -> HolidayPeriod:
    entry = _mapping(raw, field, {"name", "name_en", "first", "last", "makeup_workdays"}, error)
    first = _date_in_year(entry["first"], f"{field}.first", year, error)
    last = _date_in_year(entry["last"], f"{field}.last", year, error)
    if last < first:
        raise error(f"{field}.last", f"{last.isoformat()} is before first {first.isoformat()}")
    raw_makeup = entry["makeup_workdays"]
    if not isinstance(raw_makeup, list):
        raise error(f"{field}.makeup_workdays", "must be a list of dates ([] when none)")
    makeup = tuple(_date_in_year(d, f"{field}.makeup_workdays[{i}]", year, error) for i, d in enumerate(raw_makeup))
    for i, d in enumerate(makeup):
        if d.weekday() < _SATURDAY:
            raise error(
                f"{field}.makeup_workdays[{i}]",
                f"{d.isoformat()} is a {d.strftime('%A')}; a make-up workday is a Saturday or Sunday",
            )
    return HolidayPeriod(
        name=_text(entry["name"], f"{field}.name", error),
        name_en=_text(entry["name_en"], f"{field}.name_en", error),
        first=first,
        last=last,
        makeup_workdays=makeup,
    )


def _check_each_date_once(field: str, periods: tuple[HolidayPeriod, ...], error: _FieldErrors) -> None:
    listed: dict[date, str] = {}
    for i, period in enumerate(periods):
        entries = [(d, f"{field}.periods[{i}] (day off)") for d in period.days_off()]
        entries += [(d, f"{field}.periods[{i}].makeup_workdays[{j}]") for j, d in enumerate(period.makeup_workdays)]
        for d, place in entries:
            if d in listed:
                raise error(place, f"{d.isoformat()} is already listed at {listed[d]}")
            listed[d] = place


def _mapping(raw: object, field: str, keys: set[str], error: _FieldErrors) -> dict[str, object]:
    if not isinstance(raw, dict):
        raise error(field, "must be a mapping")
    unknown = sorted(str(k) for k in raw if k not in keys)
    if unknown:
        raise error(field, f"unknown keys {unknown}; expected {sorted(keys)}")
    missing = sorted(keys - set(raw))
    if missing:
        raise error(field, f"missing keys {missing}")
    return {str(k): v for k, v in raw.items()}


def _text(raw: object, field: str, error: _FieldErrors) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise error(field, "must be non-empty text")
    return raw


def _date(raw: object, field: str, error: _FieldErrors) -> date:
    # YAML reads an unquoted YYYY-MM-DD as a date; a timestamp or a quoted string is refused.
    if type(raw) is not date:
        raise error(field, f"must be a date written YYYY-MM-DD, got {raw!r}")
    return raw


def _date_in_year(raw: object, field: str, year: int, error: _FieldErrors) -> date:
    d = _date(raw, field, error)
    if d.year != year:
        raise error(field, f"{d.isoformat()} is outside the year {year}")
    return d
