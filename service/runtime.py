"""What a running service holds: settings, database, clock, keys and policies, built once at start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request

from service.auth.permissions import RolePolicy, load_role_policy
from service.auth.tokens import TokenService
from service.cases.context import CaseContext
from service.cases.policy import load_case_policy
from service.cases.review_requirement import load_review_catalogue
from service.cases.steps import check_against_workflows
from service.cases.workflow import load_workflows
from service.clock import Clock, SystemClock
from service.config import Settings
from service.db import Database
from service.ledger.integrator import CheckpointPolicy, SignerCache
from service.officers.policy import OfficerPolicy, load_officer_policy
from service.policy.calendar import load_calendar
from service.policy.designated_areas import load_designated_areas
from service.publicity.policy import PublicityPolicy, load_publicity_policy
from service.reports.file_review_rules import FileReviewPolicy, load_file_review_policy

TOKEN_KEY_FILE = "token-es256.pem"


@dataclass
class Runtime:
    settings: Settings
    database: Database
    clock: Clock
    tokens: TokenService
    roles: RolePolicy
    signers: SignerCache
    checkpoints: CheckpointPolicy
    officer_policy: OfficerPolicy
    case_context: CaseContext
    publicity: PublicityPolicy
    file_review: FileReviewPolicy  # 案卷评查: document weights and reviewers per file (policies/file-review.yaml)

    @classmethod
    def build(cls, settings: Settings, database: Database | None = None, clock: Clock | None = None) -> Runtime:
        settings.check_safe_for_production()
        key_file = settings.keys_dir / TOKEN_KEY_FILE
        if not key_file.exists():
            raise RuntimeError(f"token signing key {key_file} is missing: run `caseledger init` first")
        return cls(
            settings=settings,
            database=database or Database(settings.resolved_database_url),
            clock=clock or SystemClock(),
            tokens=TokenService.from_file(
                key_file,
                issuer=settings.token_issuer,
                audience=settings.token_audience,
                lifetime=timedelta(seconds=settings.token_lifetime_seconds),
            ),
            roles=load_role_policy(settings.policies_dir / "roles.yaml"),
            signers=SignerCache(settings.keys_dir),
            checkpoints=CheckpointPolicy(settings.checkpoint_every_entries, settings.checkpoint_every_seconds),
            officer_policy=load_officer_policy(settings.policies_dir / "officers.yaml"),
            case_context=load_case_context(settings),
            publicity=load_publicity_policy(settings.policies_dir / "publicity.yaml"),
            file_review=load_file_review_policy(settings.policies_dir / "file-review.yaml"),
        )


def load_case_context(settings: Settings) -> CaseContext:
    policies = settings.policies_dir
    workflows = load_workflows(policies / "workflows")
    check_against_workflows(workflows)  # a step without its declaration, or the reverse, stops the service
    return CaseContext(
        workflows=workflows,
        calendar=load_calendar(policies / "calendar" / "cn-workdays.yaml"),
        case_policy=load_case_policy(policies / "cases.yaml"),
        officer_policy=load_officer_policy(policies / "officers.yaml"),
        review_catalogue=load_review_catalogue(policies / "review-catalogue.yaml"),
        blind_index_key=settings.blind_index_key.encode("utf-8"),
        designated_areas=load_designated_areas(policies / "designated-areas.yaml"),
    )


def runtime_of(request: Request) -> Runtime:
    """The application's runtime, for a route or dependency that takes the request rather than ``RuntimeDep``."""
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_runtime(request: Request) -> Runtime:
    # async: it does no I/O, and a plain def would cost every request a hop through the thread pool.
    return runtime_of(request)
