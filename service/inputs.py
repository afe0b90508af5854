"""What the service accepts as text, dates and numbers: one set of rules, applied at the edge.

Two halves of one mechanism:

- annotated types for the request schemas — :data:`Line` (one line of text), :data:`Paragraph` (text where a
  paragraph is natural: newlines and tabs allowed), :data:`SaneDate` and :data:`SaneDateTime` — so that each
  field states its domain; integer parameters are bounded by :data:`INT64_MAX`;
- :class:`InputGuardMiddleware`, which applies the floor of those rules to what no schema sees or sees too
  late: the path, the query string, form fields and every string, key and number of a JSON body, including the
  free-form step data (where a string in ISO date form must also fall between 1900 and 2200). A NUL byte
  that reached PostgreSQL was a 500 ("A string literal cannot contain NUL"), an integer past 64 bits an
  overflow in the driver, ``1e400`` an infinity that ``int()`` refuses.

Every refusal is a 422 ``application/problem+json`` naming where the input was refused.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import parse_qsl, unquote

from pydantic import AfterValidator, BeforeValidator

if TYPE_CHECKING:  # annotations only: the pure modules that import this one stay free of the web framework
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

# How deep a JSON body may nest: the deepest the service's own bodies go is a handful of levels. Deeper, the
# parser and the checks below recurse until the interpreter's limit (a 500 before this bound).
MAX_JSON_DEPTH = 64
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# Dates a case, a certificate or a deadline can fall on. Outside this range a date is a typing error (year 355,
# year 9999), and arithmetic on it (a deadline, a time zone) can overflow Python's date.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2200, 12, 31)

# C0 controls, DEL and C1 controls; and the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
# U+2066–U+2069), which reorder how the text around them is displayed: a party's name, a reason or a place that
# reads one way on the screen or the printed document and another in the record ("Trojan Source"). No text of a
# case needs them — right-to-left script is displayed right without them. Newline and tab are allowed where a
# paragraph is.
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")
_CONTROL_IN_PARAGRAPH = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")
# An uploaded file's name is kept as it came (a file handed over is evidence, its name too): its bidirectional
# controls are not refused but made inert where it is stored and shown (service/evidence/filenames.py).
_CONTROL_IN_NAME_AS_SENT = re.compile("[\x00-\x1f\x7f-\x9f]")
FILE_NAME_PARAMETER = "filename"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A string that is a date or a moment in ISO form, wherever it stands (the free-form step data has some).
_ISO_DATE_OR_MOMENT = re.compile(r"(\d{4})-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}.*)?", re.DOTALL)


class InputRefused(ValueError):
    """Input outside what the service accepts; ``where`` is the location as in a validation error."""

    def __init__(self, where: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


def control_character_in(text: str, *, paragraph: bool) -> str | None:
    """The first control character of ``text`` not allowed there, as ``U+XXXX``; None when there is none."""
    found = (_CONTROL_IN_PARAGRAPH if paragraph else _CONTROL).search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def _control_in_name_as_sent(text: str) -> str | None:
    found = _CONTROL_IN_NAME_AS_SENT.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def _no_control_in_name_as_sent(text: str) -> str:
    bad = _control_in_name_as_sent(text)
    if bad is not None:
        raise ValueError(f"control character {bad} is not allowed in a file's name")
    return text


def _no_control_in_line(text: str) -> str:
    bad = control_character_in(text, paragraph=False)
    if bad is not None:
        raise ValueError(f"control character {bad} is not allowed in this field (one line of text)")
    return text


def _no_control_in_paragraph(text: str) -> str:
    bad = control_character_in(text, paragraph=True)
    if bad is not None:
        raise ValueError(f"control character {bad} is not allowed (only newline and tab are)")
    return text


def _iso_date(value: Any) -> Any:
    # JSON has no date type: a date is the ISO string YYYY-MM-DD, not a timestamp or a number.
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("a date is written YYYY-MM-DD")
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("a date is written YYYY-MM-DD, not as a number")
    return value


def _date_in_range(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"date must be between {EARLIEST_DATE} and {LATEST_DATE}")
    return value


def _datetime_in_range(value: datetime) -> datetime:
    if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
        raise ValueError(f"moment must be between {EARLIEST_DATE} and {LATEST_DATE}")
    return value


def _no_number_for_datetime(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("a moment is written in ISO 8601 (e.g. 2026-06-01T09:00:00+08:00), not as a number")
    return value


Line = Annotated[str, AfterValidator(_no_control_in_line)]
"""One line of text: a name, a number, a code. No control characters at all."""

NameAsSent = Annotated[str, AfterValidator(_no_control_in_name_as_sent)]
"""An uploaded file's name as the device sent it: one line; its bidirectional controls are kept, to be recorded as
sent and made inert wherever the name is stored or shown."""

Paragraph = Annotated[str, AfterValidator(_no_control_in_paragraph)]
"""Text where paragraphs are natural (facts, reasons, notes): newline and tab allowed, other controls refused."""

SaneDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_date_in_range)]
"""A calendar date written YYYY-MM-DD, between 1900-01-01 and 2200-12-31."""

SaneDateTime = Annotated[datetime, BeforeValidator(_no_number_for_datetime), AfterValidator(_datetime_in_range)]
"""A moment in ISO 8601 whose date lies between 1900-01-01 and 2200-12-31."""


# --- the middleware: path, query, form fields and JSON bodies ---------------------------------------------


def check_path(path: str) -> None:
    bad = control_character_in(path, paragraph=False)
    if bad is not None:
        raise InputRefused(("path",), f"control character {bad} is not allowed in a path")


def check_query(query_string: bytes, where: str = "query", *, upload: bool = False) -> None:
    """Refuse control characters in the parameters; ``upload``: the request uploads a file, whose name
    (``filename``) keeps its bidirectional controls."""
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, encoding="utf-8"):
        for text in (name, value):
            if upload and text is value and name == FILE_NAME_PARAMETER:
                bad = _control_in_name_as_sent(text)
            else:
                bad = control_character_in(text, paragraph=True)
            if bad is not None:
                raise InputRefused((where, name), f"control character {bad} is not allowed")


def _refuse_constant(name: str) -> Any:
    raise InputRefused(("body",), f"{name} is not a number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InputRefused(("body",), f"{text} is out of range for a number")
    return value


def _int64(text: str) -> int:
    if len(text) > 20:  # more digits than any 64-bit integer has
        raise InputRefused(("body",), "integer out of the 64-bit range")
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise InputRefused(("body",), "integer out of the 64-bit range")
    return value


def check_json(body: bytes) -> None:
    """Refuse control characters in any string or key, non-finite numbers and integers past 64 bits.

    A body that is not JSON at all is left to the route, which answers it with its own 422.
    """
    try:
        document = json.loads(body, parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=_int64)
    except InputRefused:
        raise
    except RecursionError:
        raise InputRefused(("body",), f"JSON nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError:
        return
    _walk(document, ("body",))


def _walk(value: Any, where: tuple[str, ...]) -> None:
    if len(where) > MAX_JSON_DEPTH:
        raise InputRefused(where[:3], f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
    if isinstance(value, str):
        bad = control_character_in(value, paragraph=True)
        if bad is not None:
            raise InputRefused(where, f"control character {bad} is not allowed")
        iso = _ISO_DATE_OR_MOMENT.fullmatch(value)
        if iso is not None and not EARLIEST_DATE.year <= int(iso.group(1)) <= LATEST_DATE.year:
            # Year 9999 at UTC-10 overflows Python's datetime when brought to UTC.
            raise InputRefused(where, f"date must be between {EARLIEST_DATE} and {LATEST_DATE}")
    elif isinstance(value, dict):
        for key, item in value.items():
            bad = control_character_in(key, paragraph=False)
            if bad is not None:
                raise InputRefused(where, f"control character {bad} is not allowed in a key")
            _walk(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, (*where, str(index)))


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return str(value.decode("latin-1").split(";")[0].strip().lower())
    return ""


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


class InputGuardMiddleware:
    """Refuse control characters and out-of-range numbers in the path, query, form fields and JSON bodies.

    Bodies of other types, and uploaded files whatever their type (``file_paths``: evidence is kept byte for
    byte, a JSON file with a NUL in it included), pass through untouched. It runs inside the body limit, so the
    body it reads to check is already bounded.
    """

    def __init__(
        self, app: ASGIApp, *, refuse: Callable[[Scope, Send, InputRefused], Awaitable[None]], file_paths: str
    ) -> None:
        self.app = app
        self.refuse = refuse
        self.file_paths = re.compile(file_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            raw_path = scope.get("raw_path")
            check_path(unquote(raw_path.decode("latin-1")) if raw_path else scope["path"])
            check_query(scope.get("query_string", b""), upload=bool(self.file_paths.search(scope["path"])))
        except InputRefused as refused:
            await self.refuse(scope, send, refused)
            return
        content_type = _content_type(scope)
        form = content_type == "application/x-www-form-urlencoded"
        if (
            not (form or _is_json(content_type))
            or scope.get("method") in ("GET", "HEAD", "OPTIONS")
            or self.file_paths.search(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        body, replay = await read_body(receive)
        try:
            if form:
                check_query(body, where="body")
            else:
                check_json(body)
        except InputRefused as refused:
            await self.refuse(scope, send, refused)
            return
        await self.app(scope, replay, send)


async def read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The request's whole body, read now (a middleware outside bounds it), and a ``receive`` that hands the app the
    same messages, as they came."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return b"".join(chunks), replay
