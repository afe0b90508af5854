"""Evidence (证据): collected by qualified officers, typed by 行政处罚法 第四十六条, with a chain of custody.

The file's SHA-256 is computed while it is streamed in and goes into the ledger entry; the bytes are kept
content-addressed on disk (service/evidence/store.py). Custody — preserved, transferred, returned,
destroyed — is a sequence of entries in the case's chain.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.agencies.service import agency_of, agency_ref
from service.auth.principal import Principal
from service.cases import casefile
from service.cases.context import CaseContext
from service.cases.guards import officers_required, too_few_officers
from service.cases.locking import case_stream, lock_case
from service.cases.models import Case
from service.cases.service import acting_officer, action_moment, agency_officers, get_case, qualifications_for
from service.catalogue.service import item_of
from service.errors import Conflict, InvalidInput, NotFound, RuleOfLawRefusal
from service.evidence.filenames import normalise_filename
from service.evidence.models import Evidence, EvidenceCustody
from service.evidence.store import StoredFile
from service.ledger.canonical import EntryContent
from service.ledger.projection import projector, record
from service.legal import penalty_law
from service.officers.qualification import Qualification
from service.officers.service import OfficerRef


class EvidenceKind(StrEnum):
    """The eight kinds of evidence of 行政处罚法 第四十六条."""

    DOCUMENTARY = "documentary"  # 书证
    PHYSICAL = "physical"  # 物证
    AUDIO_VISUAL = "audio_visual"  # 视听资料
    ELECTRONIC_DATA = "electronic_data"  # 电子数据
    WITNESS_TESTIMONY = "witness_testimony"  # 证人证言
    PARTY_STATEMENT = "party_statement"  # 当事人的陈述
    EXPERT_OPINION = "expert_opinion"  # 鉴定意见
    INSPECTION_RECORD = "inspection_record"  # 勘验笔录、现场笔录


class CustodyEvent(StrEnum):
    COLLECTED = "collected"  # 收集
    # Sealed and kept (封存) by the agency. Not 先行登记保存 (第五十六条), which needs the head's approval and is a
    # step of its own (request_preservation_approval, approve_preservation, register_preservation).
    PRESERVED = "preserved"
    TRANSFERRED = "transferred"  # 移交
    RETURNED = "returned"  # 退还
    DESTROYED = "destroyed"  # 销毁


# What each event is called in the Chinese a refusal is written in.
CUSTODY_ZH = {
    CustodyEvent.COLLECTED: "收集",
    CustodyEvent.PRESERVED: "封存",
    CustodyEvent.TRANSFERRED: "移交",
    CustodyEvent.RETURNED: "退还",
    CustodyEvent.DESTROYED: "销毁",
}

# After these, the evidence has left the agency's hands: nothing further can happen to it.
FINAL_CUSTODY = frozenset({CustodyEvent.RETURNED, CustodyEvent.DESTROYED})
# Evidence is collected while the case is being investigated or the party heard (第五十四条、第五十五条).
COLLECTING_STATES = frozenset(
    {
        "registered",
        "investigating",
        "investigation_closed",
        "penalty_intended",
        "notice_served",
        "hearing_requested",
        "hearing_scheduled",
        "hearing_held",
        "party_heard",
        "summary_started",
    }
)


@dataclass(frozen=True)
class Collection:
    """What an upload's collection was checked as, before its bytes are stored."""

    kind: EvidenceKind
    moment: datetime
    acting: list[OfficerRef]
    qualifications: list[Qualification]


def check_collection(
    session: Session,
    context: CaseContext,
    principal: Principal,
    case: Case,
    *,
    kind: str,
    officers: Sequence[uuid.UUID],
    claimed_at: datetime | None,
    now: datetime,
) -> Collection:
    """Every rule of a collection that does not need the file: the kind (art. 46), the case's state (art. 54),
    the claimed time, and two qualified officers none of whom is recused (arts. 42, 43). The upload route runs
    it before storing a byte, so a refused upload leaves nothing on disk; `collect` runs it again under the case's
    lock, on the state that orders the append."""
    try:
        evidence_kind = EvidenceKind(kind)
    except ValueError:
        raise InvalidInput(
            f"kind must be one of {', '.join(EvidenceKind)} (art. 46)",
            f"证据种类须为以下之一：{'、'.join(EvidenceKind)}（第四十六条）",
        ) from None
    if case.state not in COLLECTING_STATES:
        state = context.state_of(case.procedure, case.state)
        raise Conflict(
            f"no evidence is collected in state {case.state} ({state.en})",
            f"案件处于“{state.zh}”状态，不再收集证据",
            basis=penalty_law(54),
        )
    moment = action_moment(now, claimed_at, context.case_policy)
    acting, qualifications = _acting_officers(
        session, context, principal, case, officers, moment, what=("collected", "收集"), together=True
    )
    return Collection(evidence_kind, moment, acting, qualifications)


def _acting_officers(
    session: Session,
    context: CaseContext,
    principal: Principal,
    case: Case,
    officers: Sequence[uuid.UUID],
    moment: datetime,
    *,
    what: tuple[str, str],
    together: bool,
) -> tuple[list[OfficerRef], list[Qualification]]:
    """The caller's officer and the officers named with it, each qualified for the case's item at ``moment`` and
    none recused (第四十三条); with ``together``, at least two of them (第四十二条: at least two officers holding
    enforcement qualification, unless a law lets one act alone — the catalogue item's ``single_officer_allowed_by``,
    as the steps' rule of the same name reads it). ``what``: the act, as a refusal names it (English, Chinese)."""
    acting = agency_officers(session, principal.agency_id, [acting_officer(session, principal).id, *officers])
    qualifications = qualifications_for(session, context, case, acting, moment)
    qualified = [q for q in qualifications if q.ok]
    item = item_of(session, case.agency_id, case.catalogue_version, case.item_code)
    required = officers_required(item.single_officer_allowed_by) if together else 1
    if len(qualified) < required or len(qualified) < len(qualifications):
        reasons_en = [r.text_en for q in qualifications for r in q.reasons]
        reasons_zh = [r.text_zh for q in qualifications for r in q.reasons]
        if len(qualified) < required:
            too_few_en, too_few_zh = too_few_officers(len(qualified), required)
            reasons_en.append(too_few_en)
            reasons_zh.append(too_few_zh)
        who = "at least two officers" if required == 2 else "officers"
        raise RuleOfLawRefusal(
            f"evidence is {what[0]} by {who} qualified for this item, none recused: " + "; ".join(reasons_en),
            f"证据须由{'两名以上' if required == 2 else ''}具有该事项执法资格的执法人员{what[1]}："
            + "；".join(reasons_zh),
            basis=penalty_law(42),
            extra={"guard": "two_qualified_officers"} if together else None,
        )
    return list(acting), list(qualifications)


def collect(
    session: Session,
    context: CaseContext,
    principal: Principal,
    case: Case,
    stored: StoredFile,
    *,
    kind: str,
    description: str,
    filename: str,
    media_type: str,
    officers: Sequence[uuid.UUID],
    claimed_at: datetime | None,
    now: datetime,
) -> Evidence:
    """Record evidence already stored by its hash; two officers qualified for the case's item collect it. The
    file's name is recorded normalised (service/evidence/filenames.py), the name as sent beside it when it differs."""
    lock_case(session, case)
    checked = check_collection(
        session, context, principal, case, kind=kind, officers=officers, claimed_at=claimed_at, now=now
    )
    agency = agency_of(session, principal.agency_id)
    safe_name = normalise_filename(filename)
    evidence_id = uuid.uuid4()
    record(
        session,
        agency_ref(agency),
        stream=case_stream(case.id),
        type="case:evidence:collected",
        actor=principal.actor,
        at=now,
        claimed_at=checked.moment,
        body={
            "case_id": case.id,
            "evidence_id": evidence_id,
            "kind": checked.kind.value,
            "sha256": stored.sha256,
            "size": stored.size,
            "filename": safe_name,
            **({"filename_as_sent": filename} if filename != safe_name else {}),
            "media_type": media_type,
            "description": description,
            "officers": [str(o.id) for o in checked.acting],
            "qualifications": [q.to_record() for q in checked.qualifications],
        },
    )
    found = session.get(Evidence, evidence_id)
    assert found is not None
    return found


@projector("case:evidence:collected")
def _collected(session: Session, entry: EntryContent) -> None:
    body = entry.body
    case = session.get(Case, uuid.UUID(body["case_id"]))
    assert case is not None
    evidence_id = uuid.UUID(body["evidence_id"])
    session.add(
        Evidence(
            id=evidence_id,
            agency_id=case.agency_id,
            case_id=case.id,
            kind=body["kind"],
            sha256=body["sha256"],
            size=body["size"],
            filename=body["filename"],
            media_type=body["media_type"],
            description=body["description"],
            collected_at=entry.claimed_at,
            recorded_at=entry.recorded_at,
            collected_by=list(body["officers"]),
            custody=CustodyEvent.COLLECTED.value,
        )
    )
    session.flush()
    session.add(
        _custody_row(entry, case.agency_id, evidence_id, CustodyEvent.COLLECTED, "", "", list(body["officers"]))
    )
    case.keep_file(casefile.joined_investigation(case.case_file, body["officers"]))
    case.updated_at = entry.recorded_at


def _custody_row(
    entry: EntryContent,
    agency_id: uuid.UUID,
    evidence_id: uuid.UUID,
    event: CustodyEvent,
    holder: str,
    note: str,
    officers: list[str],
) -> EvidenceCustody:
    return EvidenceCustody(
        id=uuid.uuid5(uuid.NAMESPACE_URL, f"caseledger:{entry.agency}:{entry.stream}:{entry.seq}"),
        agency_id=agency_id,
        evidence_id=evidence_id,
        event=event.value,
        at=entry.claimed_at,
        recorded_at=entry.recorded_at,
        actor=entry.actor,
        holder=holder,
        note=note,
        officers=officers,
    )


def change_custody(
    session: Session,
    context: CaseContext,
    principal: Principal,
    case_id: uuid.UUID,
    evidence_id: uuid.UUID,
    *,
    event: str,
    holder: str,
    note: str,
    officers: Sequence[uuid.UUID],
    claimed_at: datetime | None,
    now: datetime,
) -> Evidence:
    """One link of the chain of custody of a case's evidence (both as the caller may see them), by the caller's
    officer and the ``officers`` named with it."""
    case = get_case(session, principal, context.case_policy, case_id)
    evidence = get_evidence(session, case, evidence_id)
    lock_case(session, case)
    try:
        custody = CustodyEvent(event)
    except ValueError:
        raise InvalidInput(
            f"event must be one of {', '.join(CustodyEvent)}",
            "保管事件须为以下之一：" + "、".join(f"{e.value}（{CUSTODY_ZH[e]}）" for e in CustodyEvent),
        ) from None
    if custody is CustodyEvent.COLLECTED:
        raise InvalidInput("collection is recorded by uploading the evidence", "收集证据请上传证据文件")
    if CustodyEvent(evidence.custody) in FINAL_CUSTODY:
        done = CustodyEvent(evidence.custody)
        raise Conflict(f"the evidence was already {done.value}", f"该证据已{CUSTODY_ZH[done]}，不能再变更保管")
    if not holder.strip():
        raise InvalidInput("the holder (who has the evidence now) is required", "须填写现保管人")
    if custody in FINAL_CUSTODY and not note.strip():
        # What lets it go is part of the record (全过程记录, 第四十七条): the release of a seizure and the return
        # (行政强制法 第二十八条), a destruction the law requires (第二十七条), a decision on preserved evidence
        # (行政处罚法 第五十六条).
        raise InvalidInput(
            f"evidence {custody.value} states why in the note: the decision or the law that lets it go",
            f"证据{CUSTODY_ZH[custody]}须在备注中写明依据（处理决定或法律规定）",
        )
    moment = action_moment(now, claimed_at, context.case_policy)
    # Custody is handled by the case's enforcement officers (第四十二条), none recused (第四十三条). Evidence returned
    # or destroyed leaves the agency's hands for good: two of them do it together, as they collected it — the
    # release of a seizure is carried out as the seizure was (行政强制法 第十八条第二项, 第二十八条).
    acting, qualifications = _acting_officers(
        session,
        context,
        principal,
        case,
        officers,
        moment,
        what=(custody.value, CUSTODY_ZH[custody]),
        together=custody in FINAL_CUSTODY,
    )
    agency = agency_of(session, principal.agency_id)
    record(
        session,
        agency_ref(agency),
        stream=case_stream(case.id),
        type="case:evidence:custody_changed",
        actor=principal.actor,
        at=now,
        claimed_at=moment,
        body={
            "case_id": case.id,
            "evidence_id": evidence.id,
            "event": custody.value,
            "holder": holder.strip(),
            "note": note,
            "officers": [str(o.id) for o in acting],
            "qualifications": [q.to_record() for q in qualifications],
        },
    )
    return evidence


@projector("case:evidence:custody_changed")
def _custody_changed(session: Session, entry: EntryContent) -> None:
    body = entry.body
    evidence = session.get(Evidence, uuid.UUID(body["evidence_id"]))
    assert evidence is not None
    evidence.custody = body["event"]
    event = CustodyEvent(body["event"])
    # Entries recorded before custody named its officers name none.
    officers = list(body.get("officers", []))
    session.add(_custody_row(entry, evidence.agency_id, evidence.id, event, body["holder"], body["note"], officers))


def evidence_of(session: Session, case: Case) -> list[Evidence]:
    return list(session.scalars(select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.collected_at)))


def get_evidence(session: Session, case: Case, evidence_id: uuid.UUID) -> Evidence:
    found = session.get(Evidence, evidence_id)
    if found is None or found.case_id != case.id:
        raise NotFound("no such evidence", "证据不存在")
    return found


def custody_of(session: Session, evidence: Evidence) -> list[EvidenceCustody]:
    return list(
        session.scalars(
            select(EvidenceCustody).where(EvidenceCustody.evidence_id == evidence.id).order_by(EvidenceCustody.at)
        )
    )
