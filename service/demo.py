"""Demo data: the agency 铁门乡人民政府 with one user per role, the sample catalogue, officers and certificates.

Dates are relative to the moment of seeding, so the demo's certificates are in force whenever it is run.
The same seeding builds the test suite's template database.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from service.agencies.models import Agency
from service.agencies.service import create_agency
from service.auth.models import User
from service.auth.permissions import load_role_policy
from service.auth.principal_head import designate_principal_head
from service.auth.users import create_user
from service.catalogue.service import load_version
from service.officers.policy import OfficerPolicy
from service.officers.service import (
    CertificateIn,
    change_certificate,
    issue_certificate,
    record_legal_qualification,
    register_officer,
)
from service.policy.calendar import local_date
from service.policy.catalogue import parse_catalogue
from service.policy.versions import record_policy_versions

SAMPLE_CATALOGUE = "catalogue/tiemen-sample.yaml"
ISSUER = "重庆市梁平区人民政府"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    roles: tuple[str, ...]
    # The officer linked to this account: (unit, certificate scope categories or None for all, legal qualification)
    officer: tuple[str, tuple[str, ...] | None, bool] | None = None


DEMO_USERS = (
    DemoUser("officer1", "张伟", ("officer",), ("brigade", None, False)),
    DemoUser("officer2", "李娜", ("officer",), ("brigade", None, False)),
    DemoUser("officer3", "王强", ("officer",), ("station", ("fire_safety", "forest_fire"), False)),
    DemoUser("reviewer", "赵敏", ("reviewer",), ("office", None, True)),
    DemoUser("head", "陈刚", ("head",), ("office", None, False)),
    DemoUser("head2", "林峰", ("head",)),
    DemoUser("head3", "苏红", ("head",)),
    DemoUser("supervisor", "刘洋", ("supervisor",)),
    DemoUser("admin", "系统管理员", ("admin",)),
)
# Officers without an account of their own, so the demo's certification figures look like a township's.
OTHER_OFFICERS = ("杨帆", "黄磊", "周杰", "吴敏", "徐静", "孙涛", "马丽", "朱军", "胡斌", "郭燕", "何平", "高峰")


def seed_agency(
    session: Session,
    *,
    code: str,
    name: str,
    users: tuple[DemoUser, ...],
    password: str | None,
    keys_dir: Path,
    policies_dir: Path,
    officer_policy: OfficerPolicy,
    origin_base: str,
    actor: str,
    at: datetime,
    other_officers: tuple[str, ...] = (),
) -> list[tuple[str, str, str]]:
    """Create an agency with users, the sample catalogue, officers and certificates; return the credentials."""
    agency = create_agency(
        session, code=code, name=name, keys_dir=keys_dir, origin_base=origin_base, actor=actor, at=at
    )
    record_policy_versions(session, agency, policies_dir, actor, at)
    content = (policies_dir / SAMPLE_CATALOGUE).read_text(encoding="utf-8")
    catalogue = parse_catalogue(content, SAMPLE_CATALOGUE)
    load_version(session, agency, content=content, source=SAMPLE_CATALOGUE, actor=actor, at=at)
    all_categories = tuple(sorted({item.category for item in catalogue.items}))
    duties = load_role_policy(policies_dir / "roles.yaml").duties
    credentials = []
    serial = 0
    principal_head: User | None = None
    for spec in users:
        secret = password or secrets.token_urlsafe(12)
        user = create_user(
            session,
            agency,
            username=spec.username,
            display_name=spec.display_name,
            roles=list(spec.roles),
            password=secret,
            duties=duties,
            actor=actor,
            at=at,
        )
        credentials.append((spec.username, ", ".join(spec.roles), secret))
        if principal_head is None and "head" in spec.roles:
            principal_head = user
        if spec.officer is not None:
            unit, categories, legal = spec.officer
            serial += 1
            _officer(
                session,
                agency,
                officer_policy,
                spec.display_name,
                unit,
                user,
                categories or all_categories,
                legal,
                serial,
                actor,
                at,
            )
    for officer_name in other_officers:
        serial += 1
        _officer(
            session, agency, officer_policy, officer_name, "brigade", None, all_categories, False, serial, actor, at
        )
    if principal_head is not None:
        # The first head is the principal head (主要负责人, 重庆市规范行政处罚裁量权办法 第十九条).
        session.flush()
        designate_principal_head(session, agency, principal_head.id, actor, at)
    return credentials


def _officer(
    session: Session,
    agency: Agency,
    policy: OfficerPolicy,
    name: str,
    unit: str,
    user: User | None,
    categories: tuple[str, ...],
    legal: bool,
    serial: int,
    actor: str,
    at: datetime,
) -> None:
    today = local_date(at)
    officer = register_officer(
        session, agency, policy, name=name, unit=unit, user_id=user.id if user else None, actor=actor, at=at
    )
    if legal:
        record_legal_qualification(
            session,
            agency,
            officer,
            number=f"A{today.year - 3}5001{serial:06d}",
            obtained_on=today - timedelta(days=1200),
            actor=actor,
            at=at,
        )
    certificate = issue_certificate(
        session,
        agency,
        policy,
        officer,
        CertificateIn(
            number=f"渝{agency.code.upper()}{serial:05d}",
            issuer=ISSUER,
            issued_on=today - timedelta(days=400),
            expires_on=date(today.year + 3, 12, 31),
            scope_items=(),
            scope_categories=categories,
            territory=None,
        ),
        actor=actor,
        at=at,
    )
    change_certificate(
        session,
        agency,
        certificate,
        "reviewed",
        reason="年度审验合格",
        actor=actor,
        at=at,
        reviewed_on=today - timedelta(days=30),
        review_passed=True,
    )
