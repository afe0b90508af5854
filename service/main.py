"""``create_app()``: routers, error handlers, middleware and lifespan — nothing else."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from service import projections
from service.admission import CaseWorkAdmission
from service.agencies.router import router as agency_router
from service.audit.router import router as audit_router
from service.auth.router import router as auth_router
from service.auth.users_router import router as users_router
from service.cases.calendar_router import router as calendar_router
from service.cases.deadline_revision import revise_for_all_agencies
from service.cases.procedures_router import router as procedures_router
from service.cases.router import router as cases_router
from service.catalogue.router import router as catalogue_router
from service.config import Settings, get_settings
from service.console.install import install_console
from service.documents.router import document_policy
from service.documents.router import public_router as public_documents_router
from service.documents.router import router as documents_router
from service.evidence.router import router as evidence_router
from service.headers import SecurityHeadersMiddleware, install_docs
from service.health import router as health_router
from service.inputs import InputGuardMiddleware
from service.ledger.router import router as ledger_router
from service.ledger.runner import IntegratorRunner
from service.limits import BodyLimitMiddleware
from service.logs import RequestIdMiddleware
from service.officers.router import router as officers_router
from service.policy.versions import record_for_all_agencies
from service.problems import declare_problem_responses, install_error_handlers, refuse, refuse_input
from service.public.router import router as public_router
from service.publicity.router import router as publicity_router
from service.reports.router import router as reports_router
from service.reviews.router import router as reviews_router
from service.runtime import Runtime
from service.signing.router import router as signing_router

UPLOAD_PATHS = r"/evidence$"
# Case paths whose requests do not take turns (service/admission.py): uploads, and printed documents (seconds of
# typesetting each: holding a turn that long would stop the views behind it).
NOT_HELD_PATHS = UPLOAD_PATHS + r"|/documents(?:/|$)"

DESCRIPTION = """
caseledger: case management for administrative law enforcement (综合行政执法), with an audit trail that
cannot be quietly rewritten. Every change is an entry in the agency's hash-chained, Merkle-logged ledger.

Sign in with `POST /api/v1/auth/token` (OAuth2 password flow) and use the bearer token. Errors are
RFC 9457 `application/problem+json`; send `Accept-Language: en` for English.
"""


def create_app(runtime: Runtime | None = None, settings: Settings | None = None) -> FastAPI:
    """The application, on the runtime given or one built from the environment's settings."""
    return build_app(runtime or Runtime.build(settings or get_settings()))


def create_served_app() -> FastAPI:
    """The application as ``caseledger serve`` runs it, one per worker process: ``create_app``, and once it has
    started, everything it loaded is taken out of the garbage collector's reach (``gc.freeze``). Those ~240,000
    objects live as long as the process; the collector's full passes scanned them all — 150–250 ms each, several a
    minute under load, every request of the worker waiting meanwhile — and now scan only what came after
    (11–24 ms; bench/README.md). Not done for the apps the tests build, many in one process."""
    app = create_app()
    app.state.freeze_gc = True
    return app


def schema_app() -> FastAPI:
    """The application's routes only, without a database or keys: enough to produce the OpenAPI document."""
    return build_app(None)


def build_app(runtime: Runtime | None) -> FastAPI:
    projections.load_all()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner: IntegratorRunner | None = None
        if runtime is not None:
            document_policy(runtime.settings.policies_dir / "documents")  # a bad template stops the service here
            # The policy files this process enforces are part of the record.
            with runtime.database.transaction() as session:
                now = runtime.clock.now()
                if record_for_all_agencies(session, runtime.settings.policies_dir, "system:service", now):
                    # A changed calendar file moves deadlines already recorded: recount them (one worker does,
                    # under the policies stream's lock taken above; the others find nothing changed).
                    revise_for_all_agencies(
                        session,
                        runtime.case_context,
                        f"policy files changed; calendar file version {runtime.case_context.calendar.version}",
                        "system:service",
                        now,
                    )
        if runtime is not None and runtime.settings.run_integrator:
            runner = IntegratorRunner(
                runtime.database,
                runtime.signers,
                runtime.checkpoints,
                runtime.clock,
                interval=runtime.settings.integrator_interval_seconds,
                gap=runtime.settings.integrator_gap_seconds,
                batch=runtime.settings.integrator_batch,
            )
            app.state.integrator = runner
            runner.start()
        if getattr(app.state, "freeze_gc", False):
            gc.freeze()
        try:
            yield
        finally:
            if runner is not None:
                runner.stop()
            if runtime is not None and runtime.database.loop_reads is not None:
                await runtime.database.loop_reads.close()

    settings = runtime.settings if runtime is not None else Settings()
    openapi_url = "/openapi.json" if settings.api_docs_enabled else None
    app = FastAPI(
        title="caseledger",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=openapi_url,
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.integrator = None
    install_error_handlers(app)
    if openapi_url is not None:
        install_docs(app, openapi_url)
    # Middleware added last runs first: the body limit, then the input guard on the bounded body; the
    # security headers wrap every answer, the refusals of the two others included.
    # Innermost: case requests wait for their turn only once their body is read and checked.
    app.add_middleware(CaseWorkAdmission, concurrency=settings.case_work_concurrency, exempt=NOT_HELD_PATHS)
    app.add_middleware(InputGuardMiddleware, refuse=refuse_input, file_paths=UPLOAD_PATHS)
    app.add_middleware(
        BodyLimitMiddleware,
        refuse=refuse,
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
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestIdMiddleware)  # added last: outermost, so every record of the request has its id
    # A request is matched against the routes in this order, one after the other (~2–5 µs each with FastAPI's
    # included routers): the most frequent requests (the case view and its steps, the ledger's proofs) come first.
    # No path of the routers moved ahead overlaps a path of those they now precede.
    app.include_router(health_router)
    app.include_router(ledger_router)
    app.include_router(cases_router)
    app.include_router(agency_router)
    app.include_router(auth_router)
    app.include_router(users_router)
    app.include_router(catalogue_router)
    app.include_router(officers_router)
    app.include_router(calendar_router)
    app.include_router(procedures_router)
    app.include_router(evidence_router)
    app.include_router(documents_router)
    app.include_router(reviews_router)
    app.include_router(signing_router)
    app.include_router(audit_router)
    app.include_router(publicity_router)
    app.include_router(reports_router)
    app.include_router(public_router)
    app.include_router(public_documents_router)
    install_console(app)  # last: its pages answer the paths the API does not claim
    declare_problem_responses(app)
    return app
