"""``/healthz`` (the process is alive) and ``/readyz`` (the database answers and is at the migrations' head)."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from service.auth.deps import PUBLIC, RuntimeDep

router = APIRouter(tags=["health"])

ALEMBIC_DIR = Path(__file__).resolve().parent.parent / "alembic"


def migration_heads() -> set[str]:
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    return set(ScriptDirectory.from_config(config).get_heads())


@router.get("/healthz", dependencies=[PUBLIC])
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", dependencies=[PUBLIC])
def readyz(runtime: RuntimeDep) -> JSONResponse:
    try:
        with runtime.database.reader.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        return JSONResponse({"status": "unavailable", "database": type(exc).__name__}, status_code=503)
    heads = migration_heads()
    if current != heads:
        return JSONResponse(
            {"status": "unavailable", "migrations": {"current": sorted(current), "head": sorted(heads)}},
            status_code=503,
        )
    return JSONResponse({"status": "ready", "migrations": sorted(current)})
