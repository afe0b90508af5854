"""Recognising resident ID numbers and telephone numbers in free text (pure, no I/O).

A resident ID number (居民身份证号码, GB 11643-1999) has 18 characters: a six-digit region code, the birth date
(YYYYMMDD), a three-digit sequence and a check character computed with ISO 7064 MOD 11-2 (``X`` stands for 10).
The first-generation cards carried 15 digits: region, birth date as YYMMDD (1900s), sequence.

An 18-digit number whose check character is wrong but whose region and birth-date parts are plausible is treated
as an ID number too: the check digit catches a typing error, and a mistyped ID number still identifies the
person, so it is never published. An 18-digit number without a plausible birth date (an account, meter or
serial number) is not an ID number and is left as written.

Mobile numbers are 11 digits starting 13–19; landlines are an area code (010 and 02x with eight-digit local
numbers, 0xxx with seven or eight) and the local number. Either may carry +86, 0086 or 86 in front, and any of
them may be written with spaces, dashes or an area code in brackets: ``138 0013 8000``, ``+86-138-0013-8000``,
``023-12345678``, ``(023) 1234 5678``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARACTERS = "10X98765432"  # indexed by the weighted sum mod 11


class Identifier(StrEnum):
    ID_NUMBER = "id_number"  # 居民身份证号码
    PHONE = "phone"  # 手机号码、固定电话号码


# Digits (ASCII or full-width) in groups joined by at most two separators: spaces, dashes, brackets.
_DIGIT = "[0-9０-９]"
_SEPARATOR = r"[ \t\u00a0\u3000\-－‐‑–—()（）]"
_RUN = re.compile(rf"(?:\+|＋)?{_DIGIT}+[Xx]?(?:{_SEPARATOR}{{1,2}}{_DIGIT}+[Xx]?)*")
_GROUP = re.compile(rf"{_DIGIT}+[Xx]?")

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0(?:10|2\d)\d{8}|0[3-9]\d{2}\d{7,8}")
_LANDLINE_AFTER_COUNTRY = re.compile(r"(?:10|2\d)\d{8}|[3-9]\d{2}\d{7,8}")
_COUNTRY_PREFIXES = ("0086", "86")
_OPENING = {")": "(", "）": "（"}


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else c.upper() for c in text)


def id_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID number."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARACTERS[total % 11]


def _plausible_birth_date(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2099


def _plausible_region(region: str) -> bool:
    return region[0] in "12345678" and region[:2] != "00"


def is_resident_id(compact: str, *, require_check: bool = True) -> bool:
    """Whether ``compact`` (digits only, X allowed last) is a resident ID number; with ``require_check=False`` an
    18-digit number with a wrong check character but a plausible region and birth date counts too."""
    compact = compact.upper()
    if len(compact) == 18 and compact[:17].isdigit() and (compact[17].isdigit() or compact[17] == "X"):
        if not (_plausible_region(compact[:6]) and _plausible_birth_date(compact[6:14])):
            return False
        return not require_check or id_check_character(compact[:17]) == compact[17]
    if len(compact) == 15 and compact.isdigit():
        return _plausible_region(compact[:6]) and _plausible_birth_date("19" + compact[6:12])
    return False


def is_phone_number(compact: str) -> bool:
    """A mobile or landline number, with or without the country code (digits only, ``+`` already dropped)."""
    if _MOBILE.fullmatch(compact) or _LANDLINE.fullmatch(compact):
        return True
    for prefix in _COUNTRY_PREFIXES:
        rest = compact[len(prefix) :]
        if compact.startswith(prefix) and (_MOBILE.fullmatch(rest) or _LANDLINE_AFTER_COUNTRY.fullmatch(rest)):
            return True
    return False


def classify(compact: str, known: dict[str, Identifier] | None = None) -> Identifier | None:
    """What the digits ``compact`` are, if they identify a person: a known value first, then by form."""
    compact = _ascii_digits(compact).lstrip("+＋")
    if known and compact in known:
        return known[compact]
    if is_resident_id(compact, require_check=False):
        return Identifier.ID_NUMBER
    if is_phone_number(compact):
        return Identifier.PHONE
    return None


def compact_form(value: str) -> str:
    """A value as :func:`classify` compares it: ASCII digits, upper-case X, no separators, no leading +."""
    return "".join(g for g in _GROUP.findall(_ascii_digits(value).lstrip("+＋"))).upper()


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    kind: Identifier


def find_identifiers(text: str, known: dict[str, Identifier] | None = None) -> list[Found]:
    """The spans of ``text`` holding ID numbers or telephone numbers, left to right, not overlapping.

    Within a run of digit groups joined by separators, the longest run of consecutive groups that forms an
    identifier is taken first, so ``138 0013 8000`` is one phone number and ``13800138000 500228199001011234``
    two identifiers. ``known`` maps compact forms of values known to belong to the person (their own ID number
    and phone as recorded) to what they are, so those are found whatever their form.
    """
    found: list[Found] = []
    for run in _RUN.finditer(text):
        groups = [(m.start() + run.start(), m.end() + run.start()) for m in _GROUP.finditer(run.group())]
        plus = run.group()[0] in "+＋"
        i = 0
        while i < len(groups):
            hit = None
            for j in range(min(len(groups), i + 8), i, -1):
                compact = "".join(text[s:e] for s, e in groups[i:j])
                kind = classify(compact, known)
                if kind is not None:
                    hit = (j, kind)
                    break
            if hit is None:
                i += 1
                continue
            j, kind = hit
            start, end = groups[i][0], groups[j - 1][1]
            if i == 0 and plus:
                start = run.start()
            # A bracketed area code: "(023)1234 5678" takes its opening bracket along.
            closing = next((c for c in text[start:end] if c in _OPENING), None)
            if closing is not None and start > 0 and text[start - 1] == _OPENING[closing]:
                start -= 1
            found.append(Found(start, end, kind))
            i = j
    return found


def redact_identifiers(text: str, labels: dict[Identifier, str], known: Collection[tuple[str, Identifier]] = ()) -> str:
    """``text`` with every ID number and telephone number replaced by its label."""
    known_compact = {compact_form(value): kind for value, kind in known if compact_form(value)}
    out, last = [], 0
    for hit in find_identifiers(text, known_compact):
        out.append(text[last : hit.start])
        out.append(labels[hit.kind])
        last = hit.end
    out.append(text[last:])
    return "".join(out)
