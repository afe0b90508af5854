"""Response hardening: security headers on every response, ``no-store`` on personal data, the docs offline.

The API answers JSON to programs, never pages to browsers, so its Content-Security-Policy allows nothing at
all; only the docs pages (``/docs``, ``/redoc``), served from assets packaged with the ``fastapi-offline``
distribution, get a policy that lets their own scripts run. Nothing is loaded from another origin, so the docs
work offline and leak no visit to a CDN.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.auth.deps import PUBLIC
from service.errors import NotFound

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Swagger UI and ReDoc start from an inline script; ReDoc renders in a blob worker.
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
# The console's pages (service/console/): their own scripts and styles only, forms posted to the console itself;
# no inline script or style, nothing from another origin.
# A page may frame only the console's own evidence view (the reviewer's desk shows evidence beside the file).
CONSOLE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
# Evidence shown inline (an image, a recording, a PDF) is a document of its own: sandboxed, no script. The browser
# lays such a file out in a viewer document it writes itself, with inline styles: those are allowed (style only;
# a sandboxed document with no script can do nothing with them).
EVIDENCE_INLINE_CSP = (
    "default-src 'none'; img-src 'self'; media-src 'self'; object-src 'self'; style-src 'unsafe-inline'; sandbox"
)
# The same in the console's frame (service/console/evidence_router.py): framed by the console's pages only.
EVIDENCE_FRAMED_CSP = EVIDENCE_INLINE_CSP + "; frame-ancestors 'self'"

SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)

# Responses that carry personal data (parties, users, officers' records, the audit trail, exports, evidence)
# must not stay in a browser's or a proxy's cache. Everything under the authenticated API qualifies or may:
# only the public pages and the ledger's public proofs may be cached.
_CACHEABLE = re.compile(
    r"^/(api/v1/public/|api/v1/agencies/[^/]+/ledger/(checkpoint|vkey|proof)"
    r"|healthz$|readyz$|docs$|redoc$|openapi\.json$|docs-assets/|static/console/)"
)

DOCS_ASSETS = "/docs-assets"


def _docs_assets_dir() -> Path:
    return Path(str(files("fastapi_offline") / "static"))


class SecurityHeadersMiddleware:
    """Adds the security headers to every response, and ``Cache-Control: no-store`` where data is personal.

    A header the route set itself (the evidence download's own policy) is kept.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        docs = path in ("/docs", "/redoc", "/docs/oauth2-redirect")
        console = not docs and not path.startswith(("/api/", "/docs-assets/", "/openapi.json", "/healthz", "/readyz"))
        no_store = _CACHEABLE.match(path) is None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                wanted = [
                    *SECURITY_HEADERS,
                    (b"content-security-policy", (DOCS_CSP if docs else CONSOLE_CSP if console else API_CSP).encode()),
                ]
                if no_store:
                    wanted.append((b"cache-control", b"no-store"))
                headers.extend((name, value) for name, value in wanted if name not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_docs(app: FastAPI, openapi_url: str) -> None:
    """``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), with their scripts and styles served by this process."""
    assets = _docs_assets_dir()
    names = {"swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png"}

    @app.get("/docs", include_in_schema=False, dependencies=[PUBLIC])
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} — API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False, dependencies=[PUBLIC])
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} — API",
            redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{DOCS_ASSETS}/favicon.png",
            with_google_fonts=False,
        )

    @app.get(DOCS_ASSETS + "/{name}", include_in_schema=False, dependencies=[PUBLIC])
    async def docs_asset(name: str) -> FileResponse:
        if name not in names:
            raise NotFound(f"no asset {name!r}", f"没有资源 {name!r}")
        return FileResponse(assets / name)
