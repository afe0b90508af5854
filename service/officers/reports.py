"""Reports on certification: expiring and lapsed certificates, certified officers on a date, reviewers' share,
the periodic clean-up list, and training figures. Read-only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.models import User
from service.officers.models import Certificate, CertificateEvent, Officer, TrainingRecord
from service.officers.policy import OfficerPolicy
from service.officers.qualification import CertificateStatus, ItemFacts, OfficerFacts, ReasonCode, qualified
from service.officers.service import certificate_facts
from service.policy.calendar import SHANGHAI


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in Asia/Shanghai: "certified on a date" means certified all that day."""
    return datetime.combine(day, time(23, 59, 59, 999999), SHANGHAI)


@dataclass(frozen=True)
class CertificateLine:
    officer_id: uuid.UUID
    officer_name: str
    unit: str
    certificate_id: uuid.UUID
    number: str
    status: str
    expires_on: date
    reason: str


def _certificates(session: Session, agency_id: uuid.UUID) -> list[tuple[Certificate, Officer, list[CertificateEvent]]]:
    rows = session.execute(
        select(Certificate, Officer)
        .join(Officer, Officer.id == Certificate.officer_id)
        .where(Certificate.agency_id == agency_id)
        .order_by(Officer.name, Certificate.number)
    ).all()
    events = session.scalars(
        select(CertificateEvent).where(CertificateEvent.agency_id == agency_id).order_by(CertificateEvent.seq)
    ).all()
    by_certificate: dict[uuid.UUID, list[CertificateEvent]] = {}
    for event in events:
        by_certificate.setdefault(event.certificate_id, []).append(event)
    return [(c, o, by_certificate.get(c.id, [])) for c, o in rows]


def _standing(
    certificate: Certificate, events: list[CertificateEvent], at: datetime, policy: OfficerPolicy
) -> list[str]:
    """Why a certificate is not in force at ``at`` (empty when it is): the qualification rule, scope aside."""
    facts = certificate_facts(certificate, events, at)
    scope = next(iter(sorted(facts.scope_items)), None)
    category = next(iter(sorted(facts.scope_categories)), "")
    item = ItemFacts(code=scope or "", category=category if scope is None else "")
    result = qualified(OfficerFacts("x", "x", (facts,)), item, at, policy.qualification)
    return [r.code.value for r in result.reasons]


def expiring(
    session: Session, agency_id: uuid.UUID, policy: OfficerPolicy, today: date, within_days: int
) -> list[CertificateLine]:
    until = today + timedelta(days=within_days)
    return [
        CertificateLine(
            o.id, o.name, o.unit, c.id, c.number, c.status, c.expires_on, f"expires within {within_days} days"
        )
        for c, o, _ in _certificates(session, agency_id)
        if c.status == CertificateStatus.ACTIVE and today <= c.expires_on <= until
    ]


def lapsed_without_review(
    session: Session, agency_id: uuid.UUID, policy: OfficerPolicy, today: date
) -> list[CertificateLine]:
    at = end_of_day(today)
    return [
        CertificateLine(o.id, o.name, o.unit, c.id, c.number, c.status, c.expires_on, ReasonCode.REVIEW_OVERDUE.value)
        for c, o, events in _certificates(session, agency_id)
        if c.status == CertificateStatus.ACTIVE and ReasonCode.REVIEW_OVERDUE.value in _standing(c, events, at, policy)
    ]


def certified_officers(session: Session, agency_id: uuid.UUID, policy: OfficerPolicy, day: date) -> list[uuid.UUID]:
    """Officers holding at least one certificate in force at the end of ``day`` (the report's "17")."""
    at = end_of_day(day)
    certified = {
        o.id for c, o, events in _certificates(session, agency_id) if o.active and not _standing(c, events, at, policy)
    }
    return sorted(certified)


@dataclass(frozen=True)
class ReviewerShare:
    reviewers: int
    certified_officers: int
    percent: float
    target_percent: int
    meets_target: bool


def reviewer_share(session: Session, agency_id: uuid.UUID, policy: OfficerPolicy, day: date) -> ReviewerShare:
    """Legal reviewers as a share of certified officers (国办发〔2018〕118号: at least 5 %)."""
    users = session.scalars(select(User).where(User.agency_id == agency_id, User.disabled.is_(False))).all()
    reviewers = sum(1 for u in users if "reviewer" in u.roles)
    officers = len(certified_officers(session, agency_id, policy, day))
    percent = round(100.0 * reviewers / officers, 1) if officers else 0.0
    return ReviewerShare(
        reviewers,
        officers,
        percent,
        policy.reviewer_share_target_percent,
        officers > 0 and percent >= policy.reviewer_share_target_percent,
    )


def cleanup_list(session: Session, agency_id: uuid.UUID, policy: OfficerPolicy, today: date) -> list[CertificateLine]:
    """Certificates to act on in the periodic clean-up: expired, lapsed without review, or held by someone who left."""
    at = end_of_day(today)
    out = []
    for c, o, events in _certificates(session, agency_id):
        if c.status in (CertificateStatus.REVOKED, CertificateStatus.CANCELLED):
            continue
        reasons = [r for r in _standing(c, events, at, policy) if r in ("expired", "review_overdue")]
        if not o.active:
            reasons.append("officer_left")
        if reasons:
            out.append(
                CertificateLine(o.id, o.name, o.unit, c.id, c.number, c.status, c.expires_on, ", ".join(reasons))
            )
    return out


@dataclass(frozen=True)
class TrainingFigures:
    year: int
    trainings: int
    training_attendances: int
    exams: int
    exam_takers: int
    exam_passed: int


def training_figures(session: Session, agency_id: uuid.UUID, year: int) -> TrainingFigures:
    records = session.scalars(
        select(TrainingRecord).where(
            TrainingRecord.agency_id == agency_id,
            TrainingRecord.held_on >= date(year, 1, 1),
            TrainingRecord.held_on <= date(year, 12, 31),
        )
    ).all()
    trainings = [r for r in records if r.kind == "training"]
    exams = [r for r in records if r.kind == "exam"]
    return TrainingFigures(
        year=year,
        trainings=len(trainings),
        training_attendances=sum(len(r.participants) for r in trainings),
        exams=len(exams),
        exam_takers=sum(len(r.participants) for r in exams),
        exam_passed=sum(1 for r in exams for p in r.participants if p.get("passed")),
    )
