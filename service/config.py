"""One typed configuration, read from the environment (prefix ``CASELEDGER_``)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The development default for the blind-index key. Production refuses to start with it.
DEVELOPMENT_SECRET = "development-only-blind-index-key-do-not-use-in-production"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete; the service refuses to start."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASELEDGER_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path("var")
    # Empty means: the SQLite file ``caseledger.sqlite3`` inside the data directory.
    database_url: str = ""
    policies_dir: Path = Path(__file__).resolve().parent.parent / "policies"

    # Checkpoint origins are "<base>/<agency code>" (C2SP tlog-checkpoint: a schema-less URL).
    log_origin_base: str = "caseledger.local"
    # Printed documents carry <base>/api/v1/public/agencies/<agency>/documents/<id>, as text and as a QR code.
    public_base_url: str = "http://localhost:8000"

    token_issuer: str = "caseledger"
    token_audience: str = "caseledger-api"
    # Short-lived by design; the issue caps it at 15 minutes.
    token_lifetime_seconds: Annotated[int, Field(gt=0, le=900)] = 900
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Key for the blind index that finds a party's cases without clear personal data (HMAC-SHA-256).
    blind_index_key: str = DEVELOPMENT_SECRET

    login_max_failures: Annotated[int, Field(gt=0)] = 5
    login_window_seconds: Annotated[int, Field(gt=0)] = 900
    # An address a user signed in from with the right password is spared their account's lock this long.
    login_known_address_days: Annotated[int, Field(gt=0)] = 90
    # Proxies (addresses or networks) whose X-Forwarded-For is believed; from any other peer it is ignored.
    trusted_proxies: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(default_factory=list)

    max_body_bytes: Annotated[int, Field(gt=0)] = 1 << 20
    max_upload_bytes: Annotated[int, Field(gt=0)] = 50 << 20
    # Case requests (views, steps, lists) one worker process runs at once; the rest wait their turn, so that the
    # public log's proofs and health checks are not queued behind them (service/admission.py).
    # 2: fewer threads contending for the interpreter; measured against 4 and 8 (bench/README.md, stop 32).
    case_work_concurrency: Annotated[int, Field(gt=0)] = 2

    # Checkpoints are signed after this many new entries or this many seconds, whichever comes first.
    checkpoint_every_entries: Annotated[int, Field(gt=0)] = 1000
    checkpoint_every_seconds: Annotated[float, Field(gt=0)] = 60.0
    # The background integrator wakes at least this often to sequence pending entries.
    integrator_interval_seconds: Annotated[float, Field(gt=0)] = 0.2
    # After a pass that sequenced entries, the next waits this long: under a stream of commits each pass takes all
    # of them rather than one or two (service/ledger/runner.py).
    integrator_gap_seconds: Annotated[float, Field(ge=0)] = 1.0
    integrator_batch: Annotated[int, Field(gt=0)] = 5000
    run_integrator: bool = True
    # The interactive API docs (/docs, /redoc, /openapi.json): on in development, off in production unless set.
    api_docs: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _split_lists(cls, values: dict[str, object]) -> dict[str, object]:
        origins = values.get("cors_origins")
        if isinstance(origins, str):
            values["cors_origins"] = [o.strip() for o in origins.split(",") if o.strip()]
        proxies = values.get("trusted_proxies")
        if isinstance(proxies, str):
            values["trusted_proxies"] = [p.strip() for p in proxies.split(",") if p.strip()]
        return values

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'caseledger.sqlite3').resolve()}"

    @property
    def api_docs_enabled(self) -> bool:
        return self.api_docs if self.api_docs is not None else self.env is Environment.DEVELOPMENT

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    def check_safe_for_production(self) -> None:
        """Refuse to run in production with default or missing secrets."""
        if self.env is not Environment.PRODUCTION:
            return
        problems = []
        if self.blind_index_key == DEVELOPMENT_SECRET or len(self.blind_index_key) < 32:
            problems.append("CASELEDGER_BLIND_INDEX_KEY must be set to a random secret of 32+ characters")
        if not self.database_url:
            problems.append("CASELEDGER_DATABASE_URL must be set explicitly")
        token_key = self.keys_dir / "token-es256.pem"
        if not token_key.exists():
            problems.append(f"token signing key {token_key} is missing: run `caseledger init`")
        if "*" in self.cors_origins:
            problems.append("CASELEDGER_CORS_ORIGINS must not contain '*'")
        if problems:
            raise ConfigurationError("refusing to start in production: " + "; ".join(problems))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
