"""Bounded request bodies: a pure ASGI middleware that refuses oversized bodies with 413.

It checks Content-Length first and then counts the bytes actually received, so a client that lies about
the length or streams without one is stopped as soon as it crosses the limit, before the body is buffered.
The refusal is the service's own problem document (``refuse``: service/problems.py), in the client's language.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import DomainError, PayloadTooLarge

Refuse = Callable[[Scope, Send, DomainError], Awaitable[None]]


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(
        self, app: ASGIApp, *, refuse: Refuse, max_bytes: int, upload_max_bytes: int, upload_paths: str
    ) -> None:
        self.app = app
        self.refuse = refuse
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes
        self.upload_paths = re.compile(upload_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_max_bytes if self.upload_paths.search(scope["path"]) else self.max_bytes
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await self.refuse(scope, send, DomainError("invalid Content-Length", "Content-Length 无效"))
                    return
                if declared > limit:
                    await self.refuse(scope, send, _too_large(limit))
                    return
        received = 0
        exceeded = False
        replaced = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge(limit)
            return message

        async def guarded_send(message: Message) -> None:
            # Whatever the app made of the interrupted body (a parse error, say), the answer is 413.
            nonlocal replaced
            if exceeded:
                if message["type"] == "http.response.start" and not replaced:
                    replaced = True
                    await self.refuse(scope, send, _too_large(limit))
                return
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            if not replaced:
                await self.refuse(scope, send, _too_large(limit))


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"request body larger than {limit} bytes", f"请求体超过 {limit} 字节")
