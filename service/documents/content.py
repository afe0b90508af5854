"""What a document says about its case: the fields of ``DocumentFields`` read from the typed case file, the case
row, the case's chain (the records whose text the file does not keep), the party, the catalogue and the officers.

An issued document prints the party as the law requires it (name and address: 第五十九条第一款第一项); a draft,
which anyone who may read the case can render without recording anything, prints the party as every reader of
the case sees it (service/cases/disclosure.py: redacted), so that a draft is no way round a recorded disclosure.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.agencies.models import Agency
from service.auth.models import User
from service.cases.casefile import CaseFile, PenaltyRecord, SeizureRecord
from service.cases.deadlines import SEIZURE_DAYS, SeizureAppraisal, appraisals_days, seizure_last_day
from service.cases.disclosure import PartyView, clear_party, redacted_party
from service.cases.execution import amount_to_execute
from service.cases.history import stream_entries
from service.cases.locking import case_stream
from service.cases.models import Case, Party
from service.cases.schedule import execution_remedies
from service.catalogue.service import item_of
from service.documents.amounts import amount_in_capitals, amount_in_figures, date_in_chinese, number_in_chinese
from service.documents.fields import DocumentFields, Line
from service.documents.kinds import ONE_PER_ENTRY, RULES, DocumentKind
from service.documents.models import IssuedDocument
from service.documents.policy import DocumentPolicy
from service.evidence.models import Evidence
from service.ledger.canonical import parse_instant
from service.officers.models import Certificate, Officer
from service.policy.calendar import SHANGHAI, local_date
from service.policy.catalogue import CatalogueItem, LegalBasis

PENALTY_KINDS_ZH = {
    "warning": "警告",
    "public_criticism": "通报批评",
    "fine": "罚款",
    "confiscate_illegal_gains": "没收违法所得",
    "confiscate_illegal_property": "没收非法财物",
    "suspend_licence": "暂扣许可证件",
    "lower_qualification": "降低资质等级",
    "revoke_licence": "吊销许可证件",
    "restrict_activities": "限制开展生产经营活动",
    "order_suspension": "责令停产停业",
    "order_closure": "责令关闭",
    "restrict_employment": "限制从业",
    "detention": "行政拘留",
}
EVIDENCE_KINDS_ZH = {
    "documentary": "书证",
    "physical": "物证",
    "audio_visual": "视听资料",
    "electronic_data": "电子数据",
    "witness_testimony": "证人证言",
    "party_statement": "当事人的陈述",
    "expert_opinion": "鉴定意见",
    "inspection_record": "勘验笔录、现场笔录",
}
SOURCES_ZH = {"inspection": "日常检查", "complaint": "投诉举报", "referral": "移送", "assignment": "上级交办"}
NO_PENALTY_ZH = {
    "no_penalty_minor": "违法行为轻微并及时改正，没有造成危害后果，"
    "依照《中华人民共和国行政处罚法》第三十三条第一款的规定，决定不予行政处罚",
    "no_penalty_not_established": "违法事实不能成立，"
    "依照《中华人民共和国行政处罚法》第五十七条第一款第三项的规定，决定不予行政处罚",
}
STATEMENTS_ZH = {
    "recorded": "当事人在法定期限内提出了陈述、申辩，本机关已对其提出的事实、理由和证据进行了复核。",
    "waived": "当事人明确表示放弃陈述、申辩的权利。",
    "none": "当事人在法定期限内未提出陈述、申辩。",
}
OPINIONS_ZH = {"agree": "同意", "problems_found": "存在问题，需补正后重新审核"}
METHODS_ZH = {"in_person": "直接送达", "mail": "邮寄送达", "electronic": "电子送达", "left_at_address": "留置送达"}
# Documents handed to the party, which a proof of service (送达回证) covers.
SERVED_KINDS = frozenset(
    {
        DocumentKind.PRESERVATION_NOTICE,
        DocumentKind.ORDER_TO_CORRECT,
        DocumentKind.PRIOR_NOTICE,
        DocumentKind.HEARING_NOTICE,
        DocumentKind.PAYMENT_REMINDER,
        DocumentKind.SEIZURE_DECISION,
        DocumentKind.SEIZURE_LIST,
        DocumentKind.APPRAISAL_NOTICE,  # 行政强制法 第二十五条第三款: 书面告知当事人
        DocumentKind.OWN_EXECUTION_DECISION,  # 第三十八条: 应当直接送达当事人
        DocumentKind.PENALTY_DECISION,
        DocumentKind.NO_PENALTY_DECISION,
        DocumentKind.ON_THE_SPOT_DECISION,
    }
)


@dataclass(frozen=True)
class ChainEntry:
    type: str
    claimed_at: datetime
    body: Mapping[str, Any]
    seq: int = 0  # the position on the case's chain, as the case's history shows it
    entry_hash: str = ""  # hex


def case_chain(session: Session, case: Case) -> list[ChainEntry]:
    """The case's entries, oldest first, read back from their canonical bytes."""
    out = []
    for entry, _ in stream_entries(session, case.agency_id, case_stream(case.id)):
        body = json.loads(bytes(entry.canonical))["body"]
        out.append(ChainEntry(entry.type, entry.claimed_at, body, entry.stream_seq, bytes(entry.entry_hash).hex()))
    return out


def _latest(chain: Sequence[ChainEntry], entry_type: str) -> ChainEntry | None:
    found = [e for e in chain if e.type == entry_type]
    return found[-1] if found else None


def record_entries(chain: Sequence[ChainEntry], kind: DocumentKind) -> list[ChainEntry]:
    """The entries a document of ``kind`` may print one of (none for a kind that prints no single record)."""
    entry_type = ONE_PER_ENTRY.get(kind)
    return [e for e in chain if e.type == entry_type] if entry_type else []


def _day(instant: str | datetime | None) -> str:
    if instant is None:
        return ""
    moment = parse_instant(instant) if isinstance(instant, str) else instant
    return date_in_chinese(local_date(moment))


def _minute(instant: str | datetime | None) -> str:
    if instant is None:
        return ""
    moment = parse_instant(instant) if isinstance(instant, str) else instant
    local = moment.astimezone(SHANGHAI)
    return f"{date_in_chinese(local.date())}{local.hour}时{local.minute:02d}分"


def citation(basis: Sequence[LegalBasis]) -> str:
    """《条例》第三十条第一款, from the catalogue's provisions, numbered in Chinese as citations are."""
    parts = []
    for provision in basis:
        where = f"第{number_in_chinese(provision.article)}条"
        if provision.paragraph is not None:
            where += f"第{number_in_chinese(provision.paragraph)}款"
        if provision.item is not None:
            where += f"第{number_in_chinese(provision.item)}项"
        parts.append(f"《{provision.law}》{where}")
    return "、".join(parts)


def penalty_text(penalty: PenaltyRecord) -> str:
    parts = []
    for kind in penalty.kinds:
        label = PENALTY_KINDS_ZH.get(kind, kind)
        if kind == "fine":
            label += f"{amount_in_figures(penalty.fine_fen)}（{amount_in_capitals(penalty.fine_fen)}）"
        parts.append(label)
    if penalty.confiscated_value_fen:
        parts.append(f"没收物品价值{amount_in_figures(penalty.confiscated_value_fen)}")
    return "；".join(parts)


# Documents of the procedure before the decision: they state the penalty as intended and notified (第四十四条),
# whatever the decision later made of it.
BEFORE_DECISION = frozenset(
    {
        DocumentKind.PRIOR_NOTICE,
        DocumentKind.STATEMENT_RECORD,
        DocumentKind.HEARING_NOTICE,
        DocumentKind.HEARING_RECORD,
        DocumentKind.LEGAL_REVIEW_OPINION,
        DocumentKind.COLLECTIVE_DISCUSSION,
    }
)


def penalty_stated(kind: DocumentKind, file: CaseFile) -> PenaltyRecord | None:
    """The penalty a document of ``kind`` states: the notified (or intended) one before the decision, the decided
    one from it on (none for a decision to give no penalty)."""
    intended = file.notice.penalty if file.notice is not None else file.proposed
    if kind in BEFORE_DECISION or file.decision is None:
        return intended
    return file.decision.penalty


# What each kind of record a decision may cite is called on paper.
_RECORDS_ZH = {
    "case:inquiry:recorded": "询问笔录",
    "case:inspection:recorded": "现场检查（勘验）笔录",
    "case:preservation:registered": "先行登记保存证据清单",
    "case:statement:recorded": "陈述申辩笔录",
    "case:correction:reinspected": "复查记录",
}


def cited_evidence(chain: Sequence[ChainEntry], cited: Sequence[int]) -> list[Line]:
    """The evidence a decision cites, in the order cited: each record or file named as on paper, its date, and
    its number on the case's chain (第X号记录), so that the paper and the record point at each other."""
    by_seq = {e.seq: e for e in chain}
    lines = []
    for n, seq in enumerate(cited, 1):
        entry = by_seq.get(seq)
        if entry is None:
            continue  # the guard decision_evidence_recorded refused any such decision; an old file may differ
        if entry.type == "case:evidence:collected":
            kind = str(entry.body.get("kind", ""))
            text = f"{EVIDENCE_KINDS_ZH.get(kind, kind)}：{entry.body.get('description', '')}"
        else:
            text = _RECORDS_ZH.get(entry.type, entry.type)
            subject = entry.body.get("data", {}).get("subject")
            if subject:
                text += f"（{subject}）"
        lines.append(Line(label=str(n), text=f"{text}，{_day(entry.claimed_at)}（案件第{seq}号记录）"))
    return lines


def _officer_lines(session: Session, ids: Sequence[str]) -> list[str]:
    """Officers as records name them: 姓名（执法证号 …） (第四十二条: at least two, with their certificates)."""
    out = []
    for officer_id in ids:
        officer = session.get(Officer, uuid.UUID(officer_id))
        if officer is None:
            continue
        numbers = session.scalars(select(Certificate.number).where(Certificate.officer_id == officer.id)).all()
        out.append(f"{officer.name}（执法证号{'、'.join(sorted(numbers))}）" if numbers else officer.name)
    return out


def _user_names(session: Session, agency_id: Any) -> dict[str, str]:
    users = session.scalars(select(User).where(User.agency_id == agency_id))
    return {**{f"user:{u.id}": u.display_name for u in users}, **{str(u.id): u.display_name for u in users}}


SEIZURE_KINDS_ZH = {"seal": "查封", "seize": "扣押"}


def seizure_fields(decided: ChainEntry) -> dict[str, Any]:
    """What the decision to seal or seize and its list state (行政强制法 第二十四条): the reason, the basis, the
    period (第二十五条: thirty days from the day after the decision), the things, and how it was approved."""
    data = decided.body.get("data", {})
    start = local_date(decided.claimed_at)
    last = start + timedelta(days=SEIZURE_DAYS)
    approval = (
        "因情况紧急当场实施，执法人员已依照《中华人民共和国行政强制法》第十九条的规定在二十四小时内向本机关负责人报告"
        if data.get("urgent")
        else "经本机关负责人批准"
    )
    return {
        "seizure_kind": SEIZURE_KINDS_ZH.get(str(data.get("kind", "")), ""),
        "seizure_reason": str(data.get("reason", "")),
        "seizure_basis": str(data.get("basis", "")),
        "seizure_place": str(data.get("place", "")),
        "seizure_period": f"{number_in_chinese(SEIZURE_DAYS)}日（{date_in_chinese(start)}至{date_in_chinese(last)}）",
        "seizure_approval": approval,
        "seized_things": [
            Line(
                label=str(n),
                text=_thing_named(str(t.get("name", "")), str(t.get("identifier", ""))),
                note=str(t.get("quantity", "")),
            )
            for n, t in enumerate(data.get("things", []), 1)
        ],
    }


def _appraisal_days_before(seizure: SeizureRecord, moment: datetime) -> int:
    """The days of testing or appraisal the seizure's period did not include as it stood at ``moment``
    (第二十五条第三款): appraisals started by then, each as it stood then (running: its stated period)."""
    return appraisals_days(
        tuple(
            SeizureAppraisal(
                parse_instant(a.started_at),
                a.calendar_days or 0,
                parse_instant(a.ended_at) if a.ended_at and parse_instant(a.ended_at) <= moment else None,
            )
            for a in seizure.appraisals
            if parse_instant(a.started_at) <= moment
        )
    )


def _thing_named(name: str, identifier: str) -> str:
    """A line of the list: the thing's name, and the identifier that tells it apart (行政强制法 第二十三条第二款)."""
    return f"{name}（{identifier}）" if identifier else name


# 行政强制法 第二十八条第一款 and 第十九条: the grounds of a release, as the decision states them.
RELEASE_GROUNDS_ZH = {
    "no_violation": "当事人没有违法行为（《中华人民共和国行政强制法》第二十八条第一款第一项）",
    "unrelated": "查封、扣押的场所、设施或者财物与违法行为无关（第二十八条第一款第二项）",
    "decided": "行政机关对违法行为已经作出处理决定，不再需要查封、扣押（第二十八条第一款第三项）",
    "period_ended": "查封、扣押期限已经届满（第二十八条第一款第四项）",
    "no_longer_needed": "其他不再需要采取查封、扣押措施的情形（第二十八条第一款第五项）",
    "head_disapproved": "当场实施的查封、扣押未获本机关负责人批准（第十九条）",
}


def seizure_change_fields(file: CaseFile, act: ChainEntry) -> dict[str, Any]:
    """What the decision to extend (第二十五条第二款) or to release (第二十八条) a sealing or seizure states: the
    seizure it concerns (its things, its decision's day), and the extension with its reason, or the release with
    its ground and what was returned."""
    data = act.body.get("data", {})
    seizure = next((s for s in file.seizures if s.number == data.get("seizure")), None)
    if seizure is None or seizure.decided_at is None:
        return {}
    decided = parse_instant(seizure.decided_at)
    values: dict[str, Any] = {
        "seizure_kind": SEIZURE_KINDS_ZH.get(seizure.kind, ""),
        "seizure_decided_on": _day(decided),
        "seized_things": [
            Line(label=str(n), text=_thing_named(t.name, t.identifier), note=t.quantity)
            for n, t in enumerate(seizure.things, 1)
        ],
    }
    if act.type == "case:seizure:extended":
        days = int(data.get("calendar_days", 0))
        last = seizure_last_day(decided, days, _appraisal_days_before(seizure, act.claimed_at))
        values |= {
            "seizure_extension": f"{number_in_chinese(days)}日，至{date_in_chinese(last)}",
            "seizure_extension_reason": str(data.get("reason", "")),
        }
    else:
        ground = str(data.get("ground", ""))
        values |= {
            "seizure_release_ground": RELEASE_GROUNDS_ZH.get(ground, ground),
            "seizure_returned": str(data.get("returned", "")),
        }
    return values


# -- the papers of testing seized things (第二十五条第三款) and of the own execution (第三十七条、第四十四条) --

APPRAISAL_KINDS_ZH = {"testing": "检测", "inspection": "检验", "quarantine": "检疫", "technical_appraisal": "技术鉴定"}


def _sentence(text: str) -> str:
    """A text the officers wrote, ended with one 。 whether or not they ended it."""
    return text.rstrip("。；;. ") + "。" if text.strip() else ""


def appraisal_fields(file: CaseFile, act: ChainEntry) -> dict[str, Any]:
    """What the written notice of a testing or appraisal's period states (行政强制法 第二十五条第三款): the
    seizure whose things are tested, what is done and by whom, and the period — counted, like the seizure's, from
    the day after it starts — which the seizure's period does not include."""
    data = act.body.get("data", {})
    seizure = next((s for s in file.seizures if s.number == data.get("seizure")), None)
    if seizure is None or seizure.decided_at is None:
        return {}
    values: dict[str, Any] = {
        "seizure_kind": SEIZURE_KINDS_ZH.get(seizure.kind, ""),
        "seizure_decided_on": _day(seizure.decided_at),
        "seized_things": [
            Line(label=str(n), text=_thing_named(t.name, t.identifier), note=t.quantity)
            for n, t in enumerate(seizure.things, 1)
        ],
        "appraisal_kind": APPRAISAL_KINDS_ZH.get(str(data.get("kind", "")), ""),
        "appraisal_institution": str(data.get("institution", "")),
    }
    days = data.get("calendar_days")
    if isinstance(days, int) and days > 0:
        started = local_date(act.claimed_at)
        first, last = started + timedelta(days=1), started + timedelta(days=days)
        values["appraisal_period"] = f"{number_in_chinese(days)}日（{date_in_chinese(first)}至{date_in_chinese(last)}）"
    return values


def _executed_decision_facts(file: CaseFile) -> str:
    """第三十七条: the facts of a compulsory execution — the decision it executes and its service, the reminder
    left unperformed (第三十五条), and the party's statement with its review (第三十六条)."""
    parts = []
    decision = file.decision
    if decision is not None:
        order = file.corrections[-1] if file.corrections else None
        if decision.outcome == "order" and order is not None:
            deadline = date_in_chinese(date.fromisoformat(order.deadline))
            decided = f"责令你（单位）{order.requirement.rstrip('。')}，限于{deadline}前改正"
        elif decision.penalty is not None:
            decided = f"对你（单位）{penalty_text(decision.penalty)}"
        else:
            decided = ""
        served = f"，该决定已于{_day(decision.served_at)}送达" if decision.served_at else ""
        if decided:
            parts.append(f"本机关于{_day(decision.decided_at)}决定{decided}{served}。")
    if file.reminders:
        reminder = file.reminders[-1]
        by = f"于{date_in_chinese(date.fromisoformat(reminder.perform_by))}前" if reminder.perform_by else ""
        parts.append(f"本机关于{_day(reminder.served_at)}书面催告你（单位）{by}履行，你（单位）逾期仍未履行。")
    own = file.own_execution
    if own is not None and own.statement_at is not None:
        said = f"你（单位）陈述、申辩称：{_sentence(own.statement)}" if own.statement else "你（单位）未陈述、申辩。"
        parts.append(f"{said}复核意见：{_sentence(own.review)}")
    return "".join(parts)


def own_execution_fields(file: CaseFile, act: ChainEntry) -> dict[str, Any]:
    """What the compulsory execution decision states (行政强制法 第三十七条第二款: the grounds and basis, the
    manner and time, the remedies; the party and the agency come from the case), and what an announcement of a
    demolition adds (第四十四条: the period to demolish it oneself)."""
    own = file.own_execution
    if own is None or own.decided_at is None:
        return {}
    values: dict[str, Any] = {
        "execution_facts": _executed_decision_facts(file),
        "execution_grounds": _sentence(own.grounds),
        "execution_basis": own.basis.rstrip("。"),
        "execution_how": _sentence(own.how),
        "execution_on": date_in_chinese(date.fromisoformat(own.execute_on)) if own.execute_on else "",
        "execution_remedies": _sentence(own.remedies),
        "execution_decided_on": _day(own.decided_at),
    }
    if act.type == "case:own_execution:announced":
        data = act.body.get("data", {})
        demolish_by = str(data.get("demolish_by", ""))
        values |= {
            "demolition_text": _sentence(str(data.get("text", ""))),
            "demolition_posted_at": str(data.get("posted_at", "")),
            "demolish_by": date_in_chinese(date.fromisoformat(demolish_by)) if demolish_by else "",
        }
    return values


def party_view(party: Party, *, clear: bool, address_levels: Sequence[str]) -> PartyView:
    return clear_party(party) if clear else redacted_party(party, address_levels)


def document_fields(
    session: Session,
    policy: DocumentPolicy,
    case: Case,
    kind: DocumentKind,
    party: PartyView,
    *,
    prefix: str,
    today: str,
    record: ChainEntry | None = None,
) -> DocumentFields:
    """Every field the case establishes, for a document of ``kind``; ``record`` is the entry a record of which the
    case may hold several prints (kinds.ONE_PER_ENTRY), else the latest of its type is printed."""
    agency = session.get(Agency, case.agency_id)
    assert agency is not None
    file: CaseFile = case.case_file
    chain = case_chain(session, case)
    item: CatalogueItem = item_of(session, case.agency_id, case.catalogue_version, case.item_code)
    names = _user_names(session, case.agency_id)
    registered = chain[0].body if chain else {}
    source = registered.get("source", {})
    letterhead = policy.letterhead
    values: dict[str, Any] = {
        "title": RULES[kind].title,
        "issued_on": today,
        "agency_name": agency.name,
        "reconsideration_body": letterhead.reconsideration_body,
        "reconsideration_period": letterhead.reconsideration_period,
        "court": letterhead.court,
        "litigation_period": letterhead.litigation_period,
        "payment_place": letterhead.payment_place,
        "contact": letterhead.contact,
        "case_number": case.number or "",
        "case_title": case.title,
        "procedure": "简易程序" if case.procedure == "summary" else "普通程序",
        "source": "：".join(
            x for x in (SOURCES_ZH.get(source.get("kind", ""), ""), source.get("description", "")) if x
        ),
        "registered_on": _day(case.registered_at),
        "filed_on": _day(case.filed_at),
        "occurred_on": "" if case.occurred_on is None else date_in_chinese(case.occurred_on),
        "place": registered.get("place", ""),
        "item_name": item.name.zh,
        "violation_basis": citation(item.violation_basis),
        "penalty_basis": citation(item.penalty_basis),
        "measures": "、".join(m.zh for m in item.measures) or "责令改正",
        "officers": _officer_lines(session, file.investigators or registered.get("officers", [])),
        "party_type": "单位" if party.party_type == "organisation" else "个人",
        "party_name": party.name or "",
        "party_id_number": party.id_number or "",
        "party_address": party.address or "",
        "party_phone": party.phone or "",
        "evidence": [
            Line(label=str(n), text=f"{EVIDENCE_KINDS_ZH.get(e.kind, e.kind)}：{e.description}", note=e.sha256[:16])
            for n, e in enumerate(
                session.scalars(
                    select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.collected_at, Evidence.id)
                ),
                1,
            )
        ],
        "statement": STATEMENTS_ZH.get(file.statement, ""),
    }
    if file.corrections:
        order = file.corrections[-1]
        values |= {
            "correction_requirement": order.requirement.rstrip("。"),
            "correction_deadline": date_in_chinese(date.fromisoformat(order.deadline)),
        }
    if file.decision is not None and file.decision.evidence:
        # 第五十九条第一款第二项: the decision states the evidence it relies on — the entries it cites (第四十条).
        values["evidence"] = cited_evidence(chain, file.decision.evidence)
    if file.notice is not None:
        values |= {
            "facts": file.notice.facts,
            "reasons": file.notice.reasons,
            "basis": file.notice.basis,
            "informs_statement_and_defence": file.notice.informs_statement_and_defence,
            "informs_hearing_right": file.notice.informs_hearing_right,
            "notice_served_on": _day(file.notice.served_at),
            "service_method": METHODS_ZH.get(file.notice.method, file.notice.method),
        }
    penalty = penalty_stated(kind, file)
    values["penalty"] = "" if penalty is None else penalty_text(penalty)
    if penalty is not None:
        values |= {
            "fine_figures": amount_in_figures(penalty.fine_fen) if penalty.fine_fen else "",
            "fine_capitals": amount_in_capitals(penalty.fine_fen) if penalty.fine_fen else "",
        }
    if file.decision is not None:
        values["decided_on"] = _day(file.decision.decided_at)
        values["no_penalty_reason"] = NO_PENALTY_ZH.get(file.decision.outcome, "")
    decided = _latest(chain, "case:decision:penalty")
    if decided is not None:
        values["discretion"] = str(decided.body.get("data", {}).get("discretion_statement", ""))
    approval = file.standard_setter_approval
    if decided is not None and approval is not None:
        # 重庆市规范行政处罚裁量权办法 第二十条: the decision states how the standard was applied — here, departed
        # from with the approval of the body that set it (第十九条第二款).
        values["discretion"] = "".join(
            (
                values.get("discretion", ""),
                f"本案调整适用{approval.body}制定的行政处罚裁量基准，已报经该基准制定机关批准"
                f"（{approval.reference_number}，{approval.approved_on}）。",
            )
        )
    spot = _latest(chain, "case:summary_decision:made")
    if spot is not None:
        values["form_number"] = str(spot.body.get("data", {}).get("form_number", ""))
        # The time and place of the conduct (第五十二条): seen and decided there and then, the decision's minute; an
        # act of an earlier day registered with it is dated by its own day, not by the decision's.
        decided_on = local_date(spot.claimed_at)
        acted_on = case.occurred_on
        values["record_time"] = (
            _minute(spot.claimed_at) if acted_on is None or acted_on == decided_on else date_in_chinese(acted_on)
        )
        values["officers"] = _officer_lines(session, spot.body.get("officers", []))
    record_type = {
        DocumentKind.INQUIRY_RECORD: "case:inquiry:recorded",
        DocumentKind.INSPECTION_RECORD: "case:inspection:recorded",
        DocumentKind.STATEMENT_RECORD: "case:statement:recorded",
        DocumentKind.HEARING_RECORD: "case:hearing:held",
        DocumentKind.PRESERVATION_NOTICE: "case:preservation:registered",
        DocumentKind.SEIZURE_DECISION: "case:seizure:decided",
        DocumentKind.SEIZURE_LIST: "case:seizure:decided",
        DocumentKind.SEIZURE_EXTENSION: "case:seizure:extended",
        DocumentKind.SEIZURE_RELEASE: "case:seizure:released",
        DocumentKind.APPRAISAL_NOTICE: "case:seizure:appraisal_started",
        DocumentKind.OWN_EXECUTION_DECISION: "case:own_execution:decided",
        DocumentKind.DEMOLITION_ANNOUNCEMENT: "case:own_execution:announced",
    }.get(kind)
    held = record if record is not None else (_latest(chain, record_type) if record_type else None)
    if held is not None:
        data = held.body.get("data", {})
        values |= {
            "record_place": data.get("place", ""),
            "record_time": _minute(held.claimed_at),
            "record_subject": data.get("subject", ""),
            "record_text": data.get("summary", data.get("record", "")),
            "officers": _officer_lines(session, held.body.get("officers", [])),
        }
    if file.hearing.scheduled_for is not None:
        scheduled = _latest(chain, "case:hearing:scheduled")
        chair = file.hearing.chair_id
        values |= {
            "hearing_time": _minute(file.hearing.scheduled_for),
            "hearing_place": "" if scheduled is None else scheduled.body.get("data", {}).get("place", ""),
            "hearing_chair": "、".join(_officer_lines(session, [chair])) if chair else "",
        }
    if held is not None and kind in (DocumentKind.SEIZURE_DECISION, DocumentKind.SEIZURE_LIST):
        values |= seizure_fields(held)
    if held is not None and kind in (DocumentKind.SEIZURE_EXTENSION, DocumentKind.SEIZURE_RELEASE):
        values |= seizure_change_fields(file, held)
    if held is not None and kind is DocumentKind.APPRAISAL_NOTICE:
        values |= appraisal_fields(file, held)
    if held is not None and kind in (DocumentKind.OWN_EXECUTION_DECISION, DocumentKind.DEMOLITION_ANNOUNCEMENT):
        values |= own_execution_fields(file, held)
    registered_items = _latest(chain, "case:preservation:registered")
    if registered_items is not None:
        values["preserved_items"] = str(registered_items.body.get("data", {}).get("items", ""))
    preservation_decided = _latest(chain, "case:preservation:decided")
    if preservation_decided is not None:
        values["preservation_decision"] = str(preservation_decided.body.get("data", {}).get("measure", ""))
    review = file.latest_review()
    if review is not None:
        values |= {
            "review_opinion": OPINIONS_ZH.get(review.opinion or "", review.opinion or ""),
            "review_comment": review.comment or "",
            "review_materials": review.materials,
            "review_by": names.get(review.taken_by or "", ""),
            "review_on": _day(review.taken_at),
        }
    discussion = file.collective_discussion
    if discussion is not None:
        values |= {
            "discussion_on": date_in_chinese(date.fromisoformat(discussion.held_on)),
            "discussion_attendees": "、".join(names.get(a, a) for a in discussion.attendees),
            "discussion_opinions": [
                Line(label=names.get(who, who), text=opinion) for who, opinion in discussion.opinions.items()
            ],
            "discussion_conclusion": discussion.conclusion,
            "discussion_chair": names.get(discussion.chair, discussion.chair),
        }
    if file.execution is not None:
        execution = file.execution
        values["execution"] = (
            f"已缴纳罚款{amount_in_figures(execution.paid_fen)}（{amount_in_capitals(execution.paid_fen)}）"
            if execution.paid_fen
            else "已履行"
        )
        values["closed_on"] = _day(execution.completed_at)
    issued = session.scalars(
        select(IssuedDocument).where(IssuedDocument.case_id == case.id).order_by(IssuedDocument.issued_at)
    ).all()
    values["served"] = [
        Line(label=d.number, text=d.title, note=_day(d.issued_at)) for d in issued if d.kind in SERVED_KINDS
    ]
    decisions = [d for d in issued if d.kind == DocumentKind.PENALTY_DECISION.value]
    if decisions:
        values["decision_number"] = decisions[-1].number
    executions = [d for d in issued if d.kind == DocumentKind.OWN_EXECUTION_DECISION.value]
    if executions:
        values["execution_decision_number"] = executions[-1].number
    if file.decision is not None and file.decision.penalty is not None:
        values["decision_served_on"] = _day(file.decision.served_at)
        paid = file.execution.paid_fen if file.execution is not None else 0
        # The fine as it stands: changed on reconsideration or by a court, it is the changed amount.
        owed = max(amount_to_execute(file.decision.penalty.fine_fen, execution_remedies(file)) - paid, 0)
        if owed:
            values["outstanding"] = f"{amount_in_figures(owed)}（{amount_in_capitals(owed)}）"
    if file.decision is not None and file.decision.served_on_the_spot:
        values["service_method"] = "当场交付"
    return DocumentFields.model_validate(values)
