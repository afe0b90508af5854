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

Where the days come from:

- **Official** (正式): the State Council General Office's annual notice (国务院办公厅关于<year>年部分节假日
  安排的通知), one per year, from policies/calendar/cn-workdays.yaml or loaded later as a notice. A notice
  lists the days off and make-up workdays of its year, and may list days of the preceding December (the
  New Year holiday of 2019 began on 30 December 2018, with 29 December 2018 worked).
- **Provisional** (暂定): a year whose notice is not published yet. The State Council publishes next year's
  notice between late October and December, long after cases reach into that year, and no step may be
  refused for want of it. A provisional year rests on weekends and on the statutory holidays that
  全国年节及纪念日放假办法 fixes (New Year, Spring Festival with its eve, Qingming, Labour Day, Dragon
  Boat, Mid-Autumn, National Day, the lunar dates from the ``holidays`` library) with the library's usual
  days off where a holiday falls on a weekend — and has no make-up workdays. A date is *settled* only when
  the notice of its year is loaded, and, for a date in December, the notice of the next year too (it may
  still move that December). A deadline that counted any unsettled day is provisional: recomputed when
  the notice arrives (service/cases/deadline_revision.py says who keeps which date).

A date outside what the rules can say (before 1950, after 2100) raises ``CalendarRangeError``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import rfc8785
import yaml
from holidays.constants import PUBLIC
from holidays.countries.china import China, ChinaStaticHolidays
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from service.policy.strict_yaml import load_strict, shape_problems

SHANGHAI = ZoneInfo("Asia/Shanghai")

_SATURDAY = 5
_DECEMBER = 12


class CalendarFileError(ValueError):
    """The calendar file is malformed; names the file and the field at fault (the first of ``problems``)."""

    def __init__(self, path: Path, field: str, problem: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(f"{path}: {field}: {problem}")
        self.path = path
        self.field = field
        self.problem = problem
        self.problems = problems or (f"{field}: {problem}",)


class CalendarNoticeError(ValueError):
    """A State Council notice given to load is refused whole; ``problems`` lists every defect found."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("the notice is refused: " + "; ".join(self.problems))


class CalendarRangeError(LookupError):
    """A date the holiday rules cannot speak for (before 1950 or after 2100): never taken as holiday-free."""

    def __init__(self, day: date, source: str) -> None:
        super().__init__(
            f"no working-day calendar for {day.year} (needed for {day.isoformat()}): no State Council notice in "
            f"{source}, and the statutory holiday rules cover only the years 1950 to 2100"
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
    """One State Council notice (国务院办公厅关于<year>年部分节假日安排的通知)."""

    year: int
    notice: str  # 文号
    title: str
    issued_on: date
    periods: tuple[HolidayPeriod, ...]

    def to_content(self) -> dict[str, Any]:
        """The notice as JSON-ready data (dates as ISO strings): what the ledger records of it."""
        return {
            "year": self.year,
            "notice": self.notice,
            "title": self.title,
            "issued_on": self.issued_on.isoformat(),
            "periods": [
                {
                    "name": p.name,
                    "name_en": p.name_en,
                    "first": p.first.isoformat(),
                    "last": p.last.isoformat(),
                    "makeup_workdays": [d.isoformat() for d in p.makeup_workdays],
                }
                for p in self.periods
            ],
        }

    @property
    def version(self) -> str:
        """The hash of the notice's canonical content: equal notices have equal versions."""
        return "sha256:" + hashlib.sha256(rfc8785.dumps(self.to_content())).hexdigest()


def local_date(at: datetime) -> date:
    """The date in Asia/Shanghai of an aware moment; legal deadlines are counted on these dates."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"a naive datetime has no date in Asia/Shanghai: {at.isoformat()}")
    return at.astimezone(SHANGHAI).date()


@lru_cache(maxsize=256)
def statutory_rest_days(year: int) -> frozenset[date] | None:
    """The days off a provisional ``year`` gives: 全国年节及纪念日放假办法's holidays with the library's usual
    days off, but none of an adjusted schedule's swapped days (those come with make-up workdays, which a
    provisional year does not have). ``None`` when the rules cannot speak for the year."""
    library = China(years=year, categories=(PUBLIC,))  # type: ignore[no-untyped-call]
    days = frozenset(d for d in library if d.year == year)
    if not days:
        return None
    swapped = {
        date(year, entry[0], entry[1])
        for entry in ChinaStaticHolidays.special_public_holidays.get(year, ())
        if len(entry) >= 4 and isinstance(entry[2], int)
    }
    return days - swapped


class WorkdayCalendar:
    """Working days of any year: official where a notice is loaded, provisional elsewhere."""

    def __init__(self, years: Iterable[CalendarYear], source: str, version: str) -> None:
        self.years: Mapping[int, CalendarYear] = {y.year: y for y in sorted(years, key=lambda y: y.year)}
        self.source = source
        # The content hash of the notices in force: a deadline recorded in the ledger names the calendar.
        self.version = version
        self._days_off = frozenset(d for y in self.years.values() for p in y.periods for d in p.days_off())
        self._makeup = frozenset(d for y in self.years.values() for p in y.periods for d in p.makeup_workdays)

    def with_notices(self, notices: Iterable[CalendarYear], source: str) -> WorkdayCalendar:
        """This calendar with ``notices`` loaded: each replaces the year it is for."""
        loaded = {n.year: n for n in notices}
        if not loaded:
            return self
        years = {**self.years, **loaded}
        digest = hashlib.sha256(
            "\n".join(f"{y}:{n.version}" for y, n in sorted(years.items())).encode("ascii")
        ).hexdigest()
        return WorkdayCalendar(years.values(), f"{self.source} + {source}", "sha256:" + digest)

    def is_workday(self, d: date) -> bool:
        if d in self._makeup:
            return True
        if d.weekday() >= _SATURDAY or d in self._days_off:
            return False
        if d.year in self.years:
            return True
        rest = statutory_rest_days(d.year)
        if rest is None:
            raise CalendarRangeError(d, self.source)
        return d not in rest

    def is_settled(self, d: date) -> bool:
        """The day's status is official: its year's notice is loaded, and for December the next year's too."""
        return d.year in self.years and (d.month != _DECEMBER or d.year + 1 in self.years)

    def provisional_within(self, first: date, last: date) -> bool:
        """Whether any day from ``first`` to ``last`` (inclusive) is not settled yet."""
        return any(not self.is_settled(first + timedelta(days=i)) for i in range((last - first).days + 1))

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


# --- reading notices ---------------------------------------------------------------------------------------

DateForm = Literal["yaml", "json"]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX_TEXT = 200
_MAX_PERIODS = 20  # the seven statutory holidays, and room for the rare extra day (2015's 9-3 anniversary)


# The files and notices as written: one strict model. A date is a date as its form writes it — an unquoted
# YYYY-MM-DD in YAML (which reads it as a date), a "YYYY-MM-DD" string in JSON — never a timestamp or a number.
# What the shape cannot say (every date within its year or the December before, listed once) is checked on the
# parsed model, each problem with its field.


def _written_date(raw: object, info: ValidationInfo) -> date:
    dates: DateForm = (info.context or {}).get("dates", "json")
    if dates == "json" and isinstance(raw, str) and _ISO_DATE.match(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    elif dates == "yaml" and type(raw) is date:
        return raw
    raise ValueError(f"must be a date written YYYY-MM-DD, got {raw!r}")


def _one_line(raw: str) -> str:
    if not raw.strip():
        raise ValueError("must be non-empty text")
    if len(raw) > _MAX_TEXT or any(unicodedata.category(ch) == "Cc" for ch in raw):
        raise ValueError(f"must be one line of at most {_MAX_TEXT} characters, without control characters")
    return raw


def _weekend(d: date) -> date:
    if d.weekday() < _SATURDAY:
        raise ValueError(f"{d.isoformat()} is a {d.strftime('%A')}; a make-up workday is a Saturday or Sunday")
    return d


def _four_digits(year: int) -> int:
    if not 1000 <= year <= 9999:
        raise ValueError("a year must be a four-digit integer")
    return year


_Date = Annotated[date, PlainValidator(_written_date)]
_Line = Annotated[StrictStr, AfterValidator(_one_line)]
_Year = Annotated[StrictInt, AfterValidator(_four_digits)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _PeriodEntry(_Part):
    name: _Line
    name_en: _Line
    first: _Date
    last: _Date
    makeup_workdays: list[Annotated[_Date, AfterValidator(_weekend)]]

    @field_validator("last")
    @classmethod
    def _not_before_first(cls, last: date, info: ValidationInfo) -> date:
        first = info.data.get("first")
        if first is not None and last < first:
            raise ValueError(f"{last.isoformat()} is before first {first.isoformat()}")
        return last


class _NoticeEntry(_Part):
    notice: _Line
    title: _Line
    issued_on: _Date
    periods: Annotated[list[_PeriodEntry], Field(min_length=1, max_length=_MAX_PERIODS)]

    def calendar_year(self, year: int) -> CalendarYear:
        periods = tuple(
            HolidayPeriod(p.name, p.name_en, p.first, p.last, tuple(p.makeup_workdays)) for p in self.periods
        )
        return CalendarYear(year=year, notice=self.notice, title=self.title, issued_on=self.issued_on, periods=periods)


class NoticeIn(_NoticeEntry):
    """A notice given to load (the API's JSON, or a YAML file for ``caseledger calendar load``)."""

    year: _Year


class CalendarFile(_Part):
    """policies/calendar/cn-workdays.yaml: the published notices, by year."""

    years: Annotated[dict[_Year, _NoticeEntry], Field(min_length=1)]


def load_calendar(path: Path | str) -> WorkdayCalendar:
    """Read and validate the calendar file; any defect raises ``CalendarFileError`` naming the field."""
    path = Path(path)
    content = path.read_bytes()
    try:
        raw = load_strict(content)
    except yaml.YAMLError as exc:
        raise CalendarFileError(path, "<document>", f"not valid YAML: {exc}") from exc
    try:
        document = CalendarFile.model_validate(raw, context={"dates": "yaml"})
    except ValidationError as exc:
        problems = shape_problems(exc, raw)
        raise CalendarFileError(path, *problems[0], tuple(f"{f}: {p}" for f, p in problems)) from None
    years = [entry.calendar_year(year) for year, entry in document.years.items()]
    found = [problem for y in years for problem in _dates_of_notice(f"years.{y.year}", y)]
    if found:
        raise CalendarFileError(path, *found[0], tuple(f"{f}: {p}" for f, p in found))
    return WorkdayCalendar(years, str(path), "sha256:" + hashlib.sha256(content).hexdigest())


def parse_notice(raw: object, dates: DateForm = "json") -> CalendarYear:
    """One notice, as a mapping with its ``year`` (from the API's JSON or a YAML file); refused whole, with
    every problem listed, by ``CalendarNoticeError``."""
    try:
        entry = NoticeIn.model_validate(raw, context={"dates": dates})
    except ValidationError as exc:
        raise CalendarNoticeError(f"{f}: {p}" for f, p in shape_problems(exc, raw, "<notice>")) from None
    notice = entry.calendar_year(entry.year)
    found = _dates_of_notice("<notice>", notice)
    if found:
        raise CalendarNoticeError(f"{f}: {p}" for f, p in found)
    return notice


def read_notice_file(path: Path | str) -> CalendarYear:
    """A notice written as YAML (unquoted dates), e.g. for ``caseledger calendar load``."""
    try:
        raw = load_strict(Path(path).read_bytes())
    except yaml.YAMLError as exc:
        raise CalendarNoticeError([f"not valid YAML: {exc}"]) from exc
    return parse_notice(raw, dates="yaml")


def _dates_of_notice(field: str, notice: CalendarYear) -> list[tuple[str, str]]:
    """Every date of the notice for its year lies in that year or the December before it; none is listed twice."""
    found: list[tuple[str, str]] = []
    within: list[tuple[int, HolidayPeriod]] = []
    for i, period in enumerate(notice.periods):
        place = f"{field}.periods[{i}]"
        dates = [("first", period.first), ("last", period.last)]
        dates += [(f"makeup_workdays[{j}]", d) for j, d in enumerate(period.makeup_workdays)]
        outside = [
            (f"{place}.{key}", f"{d.isoformat()} is outside the year {notice.year} and the December before it")
            for key, d in dates
            if not (d.year == notice.year or (d.year == notice.year - 1 and d.month == _DECEMBER))
        ]
        found += outside
        if not outside:
            within.append((i, period))
    _check_each_date_once(field, within, found)
    return found


def _check_each_date_once(field: str, periods: list[tuple[int, HolidayPeriod]], found: list[tuple[str, str]]) -> None:
    """No date is listed twice: not as two days off, not as two make-up days, and never as both."""
    listed: dict[date, str] = {}
    for i, period in periods:
        entries = [(d, f"{field}.periods[{i}] (day off)") for d in period.days_off()]
        entries += [(d, f"{field}.periods[{i}].makeup_workdays[{j}]") for j, d in enumerate(period.makeup_workdays)]
        for d, place in entries:
            if d in listed:
                found.append((place, f"{d.isoformat()} is already listed at {listed[d]}"))
            else:
                listed[d] = place
