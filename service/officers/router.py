"""``/api/v1/officers``, ``/api/v1/certificates``, ``/api/v1/trainings`` and certification reports."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from service.agencies.service import agency_of
from service.auth.deps import ReadSession, RuntimeDep, WriteSession, requires
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.catalogue.service import current_version, item_codes_of, item_of, require_current_version
from service.errors import InvalidInput
from service.inputs import Line, SaneDate, SaneDateTime
from service.officers import reports, staff_register
from service.officers import service as officers
from service.officers.models import Officer, TrainingRecord
from service.officers.qualification import ItemFacts
from service.officers.schemas import (
    ActiveIn,
    CertificateChangeIn,
    CertificateDetail,
    CertificateIssuedOut,
    CertificateIssueIn,
    CertificateLineOut,
    CertificateOut,
    CertificationSummary,
    EventOut,
    LegalQualificationIn,
    OfficerIn,
    OfficerOut,
    QualificationOut,
    RegisterRecordOut,
    ReviewIn,
    StaffDepartureIn,
    StaffMemberIn,
    StaffMemberOut,
    StaffRecordOut,
    StaffTrainingIn,
    StaffTrainingLine,
    TrainingIn,
    TrainingOut,
)
from service.policy.calendar import local_date

router = APIRouter(prefix="/api/v1", tags=["officers"])


def _officer_out(session: Session, runtime: RuntimeDep, officer: Officer) -> OfficerOut:
    certificates = officers.certificates_of(session, officer)
    return OfficerOut(
        id=officer.id,
        name=officer.name,
        unit=officer.unit,
        unit_name=runtime.officer_policy.units.get(officer.unit, officer.unit),
        user_id=officer.user_id,
        legal_qualification_number=officer.legal_qualification_number,
        legal_qualification_on=officer.legal_qualification_on,
        active=officer.active,
        certificates=[CertificateOut.of(c) for c in certificates],
    )


@router.get("/officers", response_model=list[OfficerOut])
def list_officers(
    session: ReadSession, runtime: RuntimeDep, principal: Principal = requires(Permission.OFFICER_READ)
) -> list[OfficerOut]:
    """The agency's officers with their certificates."""
    found = officers.officers_of_agency(session, principal.agency_id)
    return [_officer_out(session, runtime, o) for o in found]


@router.post("/officers", response_model=OfficerOut, status_code=201)
def register_officer(
    body: OfficerIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.OFFICER_MANAGE),
) -> OfficerOut:
    """Register an officer (执法人员) in a unit, optionally linked to a user account."""
    officer = officers.register_officer(
        session,
        agency_of(session, principal.agency_id),
        runtime.officer_policy,
        name=body.name,
        unit=body.unit,
        user_id=body.user_id,
        actor=principal.actor,
        at=runtime.clock.now(),
    )
    return _officer_out(session, runtime, officer)


@router.get("/officers/{officer_id}", response_model=OfficerOut)
def get_officer(
    officer_id: uuid.UUID,
    session: ReadSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.OFFICER_READ),
) -> OfficerOut:
    return _officer_out(session, runtime, officers.get_officer(session, principal.agency_id, officer_id))


@router.post("/officers/{officer_id}/legal-qualification", response_model=OfficerOut)
def record_legal_qualification(
    officer_id: uuid.UUID,
    body: LegalQualificationIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.OFFICER_MANAGE),
) -> OfficerOut:
    """Record the officer's legal professional qualification (法律职业资格)."""
    officer = officers.get_officer(session, principal.agency_id, officer_id)
    officers.record_legal_qualification(
        session,
        agency_of(session, principal.agency_id),
        officer,
        number=body.number,
        obtained_on=body.obtained_on,
        actor=principal.actor,
        at=runtime.clock.now(),
    )
    return _officer_out(session, runtime, officer)


@router.post("/officers/{officer_id}/active", response_model=OfficerOut)
def set_officer_active(
    officer_id: uuid.UUID,
    body: ActiveIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.OFFICER_MANAGE),
) -> OfficerOut:
    """Mark an officer as having left the team (transfer, retirement) or returned."""
    officer = officers.get_officer(session, principal.agency_id, officer_id)
    officers.set_officer_active(
        session,
        agency_of(session, principal.agency_id),
        officer,
        active=body.active,
        reason=body.reason,
        actor=principal.actor,
        at=runtime.clock.now(),
    )
    return _officer_out(session, runtime, officer)


@router.post("/officers/{officer_id}/certificates", response_model=CertificateIssuedOut, status_code=201)
def issue_certificate(
    officer_id: uuid.UUID,
    body: CertificateIssueIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CERTIFICATE_MANAGE),
) -> CertificateIssuedOut:
    """Record an enforcement certificate (行政执法证) issued to the officer, as the issuer wrote it. A scope item
    the agency's current catalogue does not hold is recorded too (the certificate may name items of other
    agencies' catalogues) and the answer warns of it: by that item the certificate covers none of this agency's
    cases."""
    officer = officers.get_officer(session, principal.agency_id, officer_id)
    certificate = officers.issue_certificate(
        session,
        agency_of(session, principal.agency_id),
        runtime.officer_policy,
        officer,
        officers.CertificateIn(
            body.number,
            body.issuer,
            body.issued_on,
            body.expires_on,
            body.scope_items,
            body.scope_categories,
            body.territory,
        ),
        actor=principal.actor,
        at=runtime.clock.now(),
    )
    catalogue = current_version(session, principal.agency_id)
    if catalogue is None:
        return CertificateIssuedOut.of(certificate)
    codes = item_codes_of(session, principal.agency_id, catalogue.version)
    warnings = officers.scope_warnings(certificate.scope_items, codes)
    return CertificateIssuedOut.of(certificate).model_copy(update={"warnings": warnings})


@router.get("/officers/{officer_id}/qualification", response_model=QualificationOut)
def officer_qualification(
    officer_id: uuid.UUID,
    session: ReadSession,
    runtime: RuntimeDep,
    item: Annotated[Line, Query(max_length=50, description="catalogue item code")],
    at: Annotated[SaneDateTime | None, Query(description="moment (default now), with a time zone")] = None,
    principal: Principal = requires(Permission.OFFICER_READ),
) -> QualificationOut:
    """Whether the officer may act on an item at a moment, with every reason if not (行政处罚法 第四十二条)."""
    officer = officers.get_officer(session, principal.agency_id, officer_id)
    version = require_current_version(session, principal.agency_id)
    catalogue_item = item_of(session, principal.agency_id, version.version, item)
    moment = at or runtime.clock.now()
    if moment.tzinfo is None:
        raise InvalidInput("'at' needs a time zone", "at 须带时区")
    result = officers.qualification_of(
        session, runtime.officer_policy, officer, ItemFacts(catalogue_item.code, catalogue_item.category), moment
    )
    return QualificationOut(ok=result.ok, record=result.to_record())


@router.get("/certificates/{certificate_id}", response_model=CertificateDetail)
def get_certificate(
    certificate_id: uuid.UUID, session: ReadSession, principal: Principal = requires(Permission.OFFICER_READ)
) -> CertificateDetail:
    """A certificate with its full, unedited history."""
    certificate = officers.get_certificate(session, principal.agency_id, certificate_id)
    history = [
        EventOut.model_validate(e, from_attributes=True) for e in officers.certificate_history(session, certificate.id)
    ]
    return CertificateDetail(**CertificateOut.of(certificate).model_dump(), history=history)


# Declared before /certificates/{certificate_id}/{action}, which would otherwise capture "reviews" (and 422).
@router.post("/certificates/{certificate_id}/reviews", response_model=CertificateOut)
def review_certificate(
    certificate_id: uuid.UUID,
    body: ReviewIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CERTIFICATE_MANAGE),
) -> CertificateOut:
    """Record the annual review (年度审验) of a certificate, passed or not."""
    certificate = officers.get_certificate(session, principal.agency_id, certificate_id)
    officers.change_certificate(
        session,
        agency_of(session, principal.agency_id),
        certificate,
        "reviewed",
        reason=body.note,
        actor=principal.actor,
        at=runtime.clock.now(),
        reviewed_on=body.reviewed_on,
        review_passed=body.passed,
    )
    return CertificateOut.of(certificate)


@router.post("/certificates/{certificate_id}/{action}", response_model=CertificateOut)
def change_certificate(
    certificate_id: uuid.UUID,
    action: Literal["renew", "suspend", "reinstate", "revoke", "cancel", "expire"],
    body: CertificateChangeIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CERTIFICATE_MANAGE),
) -> CertificateOut:
    """Renew, suspend (暂扣), reinstate, revoke (吊销), cancel (注销) or mark expired; the reason is recorded."""
    past = {
        "renew": "renewed",
        "suspend": "suspended",
        "reinstate": "reinstated",
        "revoke": "revoked",
        "cancel": "cancelled",
        "expire": "expired",
    }[action]
    certificate = officers.get_certificate(session, principal.agency_id, certificate_id)
    officers.change_certificate(
        session,
        agency_of(session, principal.agency_id),
        certificate,
        past,
        reason=body.reason,
        actor=principal.actor,
        at=runtime.clock.now(),
        effective_at=body.effective_at,
        expires_on=body.expires_on,
    )
    return CertificateOut.of(certificate)


@router.post("/trainings", response_model=TrainingOut, status_code=201)
def record_training(
    body: TrainingIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.OFFICER_MANAGE),
) -> TrainingOut:
    """Record a training or an examination and who took part."""
    found = officers.record_training(
        session,
        agency_of(session, principal.agency_id),
        kind=body.kind,
        title=body.title,
        held_on=body.held_on,
        participants=[p.model_dump(mode="json") for p in body.participants],
        actor=principal.actor,
        at=runtime.clock.now(),
    )
    return TrainingOut.model_validate(found, from_attributes=True)


@router.post("/staff/trainings", response_model=TrainingOut, status_code=201)
def record_staff_training(
    body: StaffTrainingIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.STAFF_TRAIN),
) -> TrainingOut:
    """Record a training or an exam of the agency's staff — every user, enforcement officer or not, and every
    person of the staff register (``member_id``), account or not — with each participant's exam result; an entry
    of the agency's ``trainings`` stream, counted in the yearly report."""
    found = officers.record_training(
        session,
        agency_of(session, principal.agency_id),
        kind=body.kind,
        title=body.title,
        held_on=body.held_on,
        participants=[p.model_dump(mode="json", exclude_none=True) for p in body.participants],
        actor=principal.actor,
        at=runtime.clock.now(),
    )
    return TrainingOut.model_validate(found, from_attributes=True)


@router.get("/staff/{user_id}/trainings", response_model=StaffRecordOut)
def staff_trainings(
    user_id: uuid.UUID, session: ReadSession, principal: Principal = requires(Permission.STAFF_TRAIN)
) -> StaffRecordOut:
    """A staff member's trainings and exams with the results, oldest first (as a user, or as the officer linked
    to the user)."""
    user = officers.staff_member(session, principal.agency_id, user_id)
    taken = officers.trainings_of_staff_member(session, principal.agency_id, user)
    lines = [
        StaffTrainingLine(
            record_id=r.id,
            kind=r.kind,
            title=r.title,
            held_on=r.held_on,
            passed=p.get("passed"),
            score=p.get("score"),
        )
        for r, p in taken
    ]
    return StaffRecordOut(
        user_id=user.id,
        display_name=user.display_name,
        trainings=sum(1 for line in lines if line.kind == "training"),
        exams_taken=sum(1 for line in lines if line.kind == "exam"),
        exams_passed=sum(1 for line in lines if line.kind == "exam" and line.passed),
        records=lines,
    )


# -- the staff register (工作人员名册): every person of the staff, with or without an account -----------------


@router.get("/staff/register", response_model=list[StaffMemberOut])
def list_staff_register(
    session: ReadSession, principal: Principal = requires(Permission.STAFF_MANAGE)
) -> list[StaffMemberOut]:
    """The agency's staff register: those on the staff first, then those who left, by name. Never public."""
    found = staff_register.register_of(session, principal.agency_id)
    return [StaffMemberOut.model_validate(m, from_attributes=True) for m in found]


@router.post("/staff/register", response_model=StaffMemberOut, status_code=201)
def add_to_staff_register(
    body: StaffMemberIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.STAFF_MANAGE),
) -> StaffMemberOut:
    """Add a person to the register — auxiliary (协管员、辅助执法人员) and administrative staff too — optionally
    linked to their user account; trainings and exams then name them (``member_id``)."""
    member = staff_register.register_member(
        session,
        agency_of(session, principal.agency_id),
        name=body.name,
        post=body.post,
        employment=body.employment,
        joined_on=body.joined_on,
        user_id=body.user_id,
        actor=principal.actor,
        at=runtime.clock.now(),
    )
    return StaffMemberOut.model_validate(member, from_attributes=True)


@router.post("/staff/register/{member_id}/departure", response_model=StaffMemberOut)
def record_staff_departure(
    member_id: uuid.UUID,
    body: StaffDepartureIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.STAFF_MANAGE),
) -> StaffMemberOut:
    """The person left the staff on ``left_on``; their line and past trainings stay."""
    member = staff_register.register_member_of(session, principal.agency_id, member_id)
    staff_register.record_departure(
        session,
        agency_of(session, principal.agency_id),
        member,
        left_on=body.left_on,
        actor=principal.actor,
        at=runtime.clock.now(),
    )
    return StaffMemberOut.model_validate(member, from_attributes=True)


@router.get("/staff/register/{member_id}/trainings", response_model=RegisterRecordOut)
def register_member_trainings(
    member_id: uuid.UUID, session: ReadSession, principal: Principal = requires(Permission.STAFF_TRAIN)
) -> RegisterRecordOut:
    """A person's trainings and exams with the results, oldest first (as the register's line, or as the user
    account it is linked to)."""
    member = staff_register.register_member_of(session, principal.agency_id, member_id)
    lines = _lines(officers.trainings_of_register_member(session, principal.agency_id, member))
    return RegisterRecordOut(
        member_id=member.id,
        name=member.name,
        trainings=sum(1 for line in lines if line.kind == "training"),
        exams_taken=sum(1 for line in lines if line.kind == "exam"),
        exams_passed=sum(1 for line in lines if line.kind == "exam" and line.passed),
        records=lines,
    )


def _lines(taken: list[tuple[TrainingRecord, dict[str, Any]]]) -> list[StaffTrainingLine]:
    return [
        StaffTrainingLine(
            record_id=r.id, kind=r.kind, title=r.title, held_on=r.held_on, passed=p.get("passed"), score=p.get("score")
        )
        for r, p in taken
    ]


@router.get("/reports/certification", response_model=CertificationSummary)
def certification_report(
    session: ReadSession,
    runtime: RuntimeDep,
    on: Annotated[SaneDate | None, Query(description="date (Asia/Shanghai), default today")] = None,
    within_days: Annotated[int | None, Query(ge=1, le=3650)] = None,
    principal: Principal = requires(Permission.REPORT_READ),
) -> CertificationSummary:
    """Certified officers on a date, reviewers' share, expiring and lapsed certificates, the clean-up list."""
    policy = runtime.officer_policy
    day = on or local_date(runtime.clock.now())
    agency_id = principal.agency_id
    share = reports.reviewer_share(session, agency_id, policy, day)

    def lines(found: list[reports.CertificateLine]) -> list[CertificateLineOut]:
        return [CertificateLineOut.model_validate(line, from_attributes=True) for line in found]

    return CertificationSummary(
        on=day,
        certified_officers=len(reports.certified_officers(session, agency_id, policy, day)),
        reviewer_share=share.__dict__,
        expiring=lines(reports.expiring(session, agency_id, policy, day, within_days or policy.expiring_within_days)),
        lapsed_without_review=lines(reports.lapsed_without_review(session, agency_id, policy, day)),
        cleanup=lines(reports.cleanup_list(session, agency_id, policy, day)),
        training=reports.training_figures(session, agency_id, day.year).__dict__,
    )
