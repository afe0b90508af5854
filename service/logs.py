"""Logs as JSON lines, one per record, each with the request's id, and nothing personal in them.

What a record may carry is decided here, not by whoever logs: the time, level, logger, message, request id; for
an exception its type and the frames of its traceback, never its text (a database error's text holds the failed
statement and, from PostgreSQL, the offending values); for uvicorn's access log the client, method, path, status
and a query string whose values are kept only for parameters known to hold no personal data. SQLAlchemy's engine,
pool and ORM loggers are pinned at WARNING, so that a level turned down on the root or on ``sqlalchemy`` (to debug
something else) does not make them print statements with their parameters and result rows. Bodies and tokens are
never logged by the service.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Query parameters whose values hold no personal data; any other parameter's value is logged as "_".
LOGGABLE_PARAMETERS = frozenset(
    {
        "state",
        "item",
        "officer",
        "registered_from",
        "registered_to",
        "overdue",
        "due_soon",
        "limit",
        "offset",
        "after",
        "start",
        "end",
        "first",
        "second",
        "size",
        "index",
        "year",
        "kind",
    }
)
QUIET_LOGGERS = ("sqlalchemy.engine", "sqlalchemy.pool", "sqlalchemy.orm")


def accepted_request_id(incoming: str | None) -> str:
    """The client's ``X-Request-ID`` when it is short and plain (letters, digits, ``.-_:``); otherwise a new one."""
    if incoming is not None and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def loggable_path(path: str) -> str:
    """A request target with the values of query parameters not known to be harmless replaced by ``_``."""
    base, _, query = path.partition("?")
    if not query:
        return base
    pairs = [(k, v if k in LOGGABLE_PARAMETERS else "_") for k, v in parse_qsl(query, keep_blank_values=True)]
    return f"{base}?{urlencode(pairs, safe='_:')}"


def _stack(exc: BaseException) -> list[str]:
    return [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(exc.__traceback__)]


class JsonLines(logging.Formatter):
    """One JSON object per record; see the module's docstring for what it may hold."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None),
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, http_version, status = record.args
            line["http"] = {
                "client": str(client),
                "method": str(method),
                "path": loggable_path(str(path)),
                "version": str(http_version),
                "status": status,
            }
            line["message"] = f"{method} {line['http']['path']} {status}"
        else:
            line["message"] = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            line["error"] = {"type": f"{type(exc).__module__}.{type(exc).__qualname__}", "stack": _stack(exc)}
            causes: list[str] = []
            cause = exc.__cause__ or exc.__context__
            while cause is not None and len(causes) < 5:
                causes.append(f"{type(cause).__module__}.{type(cause).__qualname__}")
                cause = cause.__cause__ or cause.__context__
            if causes:
                line["error"]["caused_by"] = causes
        return json.dumps(line, ensure_ascii=False, default=str)


_base_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    record.request_id = request_id.get()
    return record


def stamp_records_with_request_id() -> None:
    """Every record carries the id of the request it was made in, taken when it is made (a handler may format it
    later, or elsewhere)."""
    if logging.getLogRecordFactory() is not _record_with_request_id:
        logging.setLogRecordFactory(_record_with_request_id)


def quiet_sql_loggers() -> None:
    """Pin SQLAlchemy's loggers at WARNING: below it they print statements, parameters and rows."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def log_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the server: every logger, uvicorn's included, through :class:`JsonLines`
    to standard error."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "service.logs.JsonLines"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": level, "propagate": True},
            **{name: {"handlers": [], "level": "WARNING", "propagate": True} for name in QUIET_LOGGERS},
        },
        "root": {"handlers": ["stderr"], "level": level},
    }


class RequestIdMiddleware:
    """Gives each request an id (the client's sane ``X-Request-ID`` or a new one), for every log record made while
    it runs, and echoes it in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        stamp_records_with_request_id()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        rid = accepted_request_id(incoming)
        # Not reset afterwards: each request runs in its own task and context, and uvicorn's own records about
        # the request (access line, an unhandled exception) are made after the app returns.
        request_id.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                headers.append((b"x-request-id", rid.encode("ascii")))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_id)
