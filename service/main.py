"""``create_app()``: routers, error handlers, middleware and lifespan — nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from service import projections
from service.audit.router import router as audit_router
from service.auth.router import router as auth_router
from service.auth.users_router import router as users_router
from service.cases.router import router as cases_router
from service.catalogue.router import router as catalogue_router
from service.config import Settings, get_settings
from service.evidence.router import router as evidence_router
from service.health import router as health_router
from service.ledger.router import router as ledger_router
from service.ledger.runner import IntegratorRunner
from service.limits import BodyLimitMiddleware
from service.logs import RequestIdMiddleware
from service.officers.router import router as officers_router
from service.policy.versions import record_for_all_agencies
from service.problems import install_error_handlers
from service.public.router import router as public_router
from service.publicity.router import router as publicity_router
from service.reports.router import router as reports_router
from service.reviews.router import router as reviews_router
from service.runtime import Runtime
from service.signing.router import router as signing_router

UPLOAD_PATHS = r"/evidence$"

DESCRIPTION = """
caseledger: case management for administrative law enforcement (综合行政执法), with an audit trail that
cannot be quietly rewritten. Every change is an entry in the agency's hash-chained, Merkle-logged ledger.

Sign in with `POST /api/v1/auth/token` (OAuth2 password flow) and use the bearer token. Errors are
RFC 9457 `application/problem+json`; send `Accept-Language: en` for English.
"""


def create_app(runtime: Runtime | None = None, settings: Settings | None = None) -> FastAPI:
    """The application, on the runtime given or one built from the environment's settings."""
    return build_app(runtime or Runtime.build(settings or get_settings()))


def schema_app() -> FastAPI:
    """The application's routes only, without a database or keys: enough to produce the OpenAPI document."""
    return build_app(None)


def build_app(runtime: Runtime | None) -> FastAPI:
    projections.load_all()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner: IntegratorRunner | None = None
        if runtime is not None:
            # The policy files this process enforces are part of the record.
            with runtime.database.transaction() as session:
                record_for_all_agencies(session, runtime.settings.policies_dir, "system:service", runtime.clock.now())
        if runtime is not None and runtime.settings.run_integrator:
            runner = IntegratorRunner(
                runtime.database,
                runtime.signers,
                runtime.checkpoints,
                runtime.clock,
                interval=runtime.settings.integrator_interval_seconds,
                batch=runtime.settings.integrator_batch,
            )
            app.state.integrator = runner
            runner.start()
        try:
            yield
        finally:
            if runner is not None:
                runner.stop()

    app = FastAPI(
        title="caseledger",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.integrator = None
    install_error_handlers(app)
    settings = runtime.settings if runtime is not None else Settings()
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.max_upload_bytes,
        upload_paths=UPLOAD_PATHS,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Accept-Language", "X-Request-ID"],
            expose_headers=["X-Request-ID"],
        )
    app.add_middleware(RequestIdMiddleware)  # added last: outermost, so every record of the request has its id
    app.include_router(health_router)
    app.include_router(auth_router)
    app.include_router(users_router)
    app.include_router(ledger_router)
    app.include_router(catalogue_router)
    app.include_router(officers_router)
    app.include_router(cases_router)
    app.include_router(evidence_router)
    app.include_router(reviews_router)
    app.include_router(signing_router)
    app.include_router(audit_router)
    app.include_router(publicity_router)
    app.include_router(reports_router)
    app.include_router(public_router)
    return app
