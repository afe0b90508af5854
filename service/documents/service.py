"""Drafting and issuing a case's documents; finding an issued one by its identifier or its SHA-256.

Issuing (制发) is an act: under the case's lock the document gets its identifier and its number first, is typeset
with both on every page (the identifier also as a QR code of its verification URL), its bytes are stored by their
SHA-256 (content-addressed: a rollback leaves at most an orphan that nothing points to), and the entry
``case:document:issued`` records the hash, the size and what the document is — never the personal data it
prints. The entry is clerical (service/cases/versioning.py): it neither changes the case's version nor makes a
legal review stale. The route then integrates the entry and signs a checkpoint at once, so that the inclusion
proof of the printed document exists as soon as it is handed over.
"""

from __future__ import annotations

import io
import json
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.agencies.models import Agency
from service.agencies.service import agency_of, agency_ref, get_agency_by_code
from service.auth.principal import Principal
from service.cases.casefile import document_issued
from service.cases.context import CaseContext
from service.cases.disclosure import disclose_party, given_reason
from service.cases.locking import case_stream, lock_case
from service.cases.models import Case, Party
from service.cases.service import steps_now
from service.cases.workflow import GuardFailure, Procedure
from service.documents import kinds
from service.documents.amounts import date_in_chinese
from service.documents.content import ChainEntry, _minute, case_chain, document_fields, party_view, record_entries
from service.documents.fields import DocumentFields, Line
from service.documents.kinds import ONE_PER_ENTRY, RULES, DocumentKind, missing_fact
from service.documents.models import IssuedDocument
from service.documents.policy import DocumentPolicy
from service.documents.proofs import DocumentProof
from service.documents.typesetting import Stamp, typesetter
from service.errors import Conflict, Forbidden, NotFound
from service.evidence.store import EvidenceStore
from service.ledger.canonical import EntryContent
from service.ledger.models import LedgerEntry
from service.ledger.projection import projector, record
from service.ledger.service import checkpoint_note, prove_entry
from service.ledger.store import lock_stream
from service.policy.calendar import local_date

CLOSE_CASE = "close_case"  # the step the 结案审批表 asks the head to approve
ISSUED = "case:document:issued"
NUMBERED = "agency:document_number:assigned"
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U to misread on paper
MAX_DOCUMENT_BYTES = 200 << 20


def new_document_id() -> str:
    """12 characters of base 32 (60 random bits), printed as XXXX-XXXX-XXXX."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def printed_id(document_id: str) -> str:
    return "-".join(document_id[i : i + 4] for i in range(0, len(document_id), 4))


def normalise_reference(reference: str) -> str:
    """An identifier as a person types it (dashes, lower case, O for 0) or a SHA-256 in hex."""
    text = reference.strip().replace("-", "").replace(" ", "")
    if len(text) == 64:
        return text.lower()
    return text.upper().replace("O", "0").replace("I", "1").replace("L", "1")


def document_store(directory: Path) -> EvidenceStore:
    """Issued documents, content-addressed like evidence files (``Settings.documents_dir``)."""
    return EvidenceStore(directory)


@dataclass(frozen=True)
class Printing:
    """What a rendering needs beyond the case."""

    policy: DocumentPolicy
    case_context: CaseContext
    address_levels: Sequence[str]
    public_base_url: str


def verify_url(base: str, agency_code: str, document_id: str) -> str:
    return f"{base.rstrip('/')}/api/v1/public/agencies/{agency_code}/documents/{document_id}"


def closing_refusals(session: Session, context: CaseContext, case: Case, now: datetime) -> tuple[GuardFailure, ...]:
    """What keeps ``case`` from being closed now, when it is in a state its procedure closes from: the 结案审批表
    asks the head to approve the closure (市场监督管理行政处罚程序规定 第七十七条, as close_case cites it), so it is
    made only once ``close_case`` may be taken — not while a fine is unpaid, a thing still seized, an execution
    or a restitution unsettled (the step's guards, as the case page lists them under it). Nothing in any other
    state: ``missing_fact`` judges those (a case closed or ended keeps its form)."""
    if case.state not in kinds.CLOSURE_FROM_STATES:
        return ()
    return dict(steps_now(session, context, case, now).blocked).get(CLOSE_CASE, ())


def _refuse_unless_ready(
    session: Session, context: CaseContext, case: Case, kind: DocumentKind, now: datetime, *, issuing: bool = False
) -> None:
    chain = case_chain(session, case)
    reason = missing_fact(kind, case.case_file, frozenset(e.type for e in chain))
    if reason is not None:
        raise Conflict(f"the case has no {kind.value} yet", f"案件尚不能制作{RULES[kind].title}：{reason}")
    if kind is DocumentKind.CLOSING_APPROVAL and (refusals := closing_refusals(session, context, case, now)):
        raise Conflict(
            "the case cannot be closed yet: " + " ".join(f.reason_en for f in refusals),
            f"案件尚不能结案，不能制作{RULES[kind].title}：" + "".join(f.reason_zh for f in refusals),
            basis=context.workflows[Procedure(case.procedure)].transition(CLOSE_CASE).basis,
            extra={"failures": [f.to_record() for f in refusals]},
        )
    if issuing and kind is DocumentKind.DOSSIER and (missing := unissued_records(chain)):
        # The dossier holds every record of the case (第四十二条、第五十五条: each is signed by the one it records,
        # and the file sent to a reviewer or a court must hold them all): issue each record first.
        positions = "、".join(str(e.seq) for e in missing)
        raise Conflict(
            f"the dossier must hold every record of the case: the records at entries {positions} are not issued yet",
            f"卷宗须收录本案每一份询问笔录、现场检查笔录，查封、扣押决定书及其延长、解除决定和检测期间告知书，"
            f"行政强制执行决定书和强制拆除公告：记录 {positions} 尚未制发",
            extra={"entries": [e.seq for e in missing]},
        )


def chosen_record(session: Session, case: Case, kind: DocumentKind, entry: int | None) -> ChainEntry | None:
    """The record a document of ``kind`` prints: the entry at position ``entry`` of the case's chain, which must
    be a record of the kind's type; without ``entry``, the case's only such record. None for the kinds that print
    no single record (they take no ``entry``). Refused (409) when the choice is wrong or missing."""
    rule = RULES[kind]
    if kind not in ONE_PER_ENTRY:
        if entry is not None:
            raise Conflict(
                f"a {kind.value} prints no single record: it takes no entry",
                f"{rule.title}不是针对某一份记录制作的文书，不能指定记录",
            )
        return None
    records = record_entries(case_chain(session, case), kind)
    if entry is not None:
        found = [r for r in records if r.seq == entry]
        if not found:
            raise Conflict(
                f"entry {entry} of the case is not a record a {kind.value} prints ({ONE_PER_ENTRY[kind]})",
                f"本案第{entry}条记录不是可制作{rule.title}的记录",
                extra={"entries": [r.seq for r in records]},
            )
        return found[0]
    if len(records) > 1:
        # 第四十二条、第五十五条: each record is signed by the one it records; which one is printed is a choice.
        positions = "、".join(str(r.seq) for r in records)
        raise Conflict(
            f"the case has {len(records)} records a {kind.value} prints (entries {positions}): name one with ?entry=",
            f"本案有{len(records)}份{rule.title}（记录 {positions}），请以 entry 指明制作哪一份",
            extra={"entries": [r.seq for r in records]},
        )
    return records[0] if records else None


def _fields(
    session: Session,
    printing: Printing,
    case: Case,
    kind: DocumentKind,
    *,
    clear: bool,
    at: datetime,
    record: ChainEntry | None = None,
) -> DocumentFields:
    party = session.get(Party, case.party_id)
    assert party is not None
    agency = session.get(Agency, case.agency_id)
    assert agency is not None
    return document_fields(
        session,
        printing.policy,
        case,
        kind,
        party_view(party, clear=clear, address_levels=printing.address_levels),
        prefix=printing.case_context.case_policy.prefixes.get(agency.code, agency.code),
        today=date_in_chinese(local_date(at)),
        record=record,
    )


def render(
    session: Session,
    store: EvidenceStore,
    printing: Printing,
    case: Case,
    kind: DocumentKind,
    fields: DocumentFields,
    stamp: Stamp | None,
) -> bytes:
    setter = typesetter(printing.policy.root)
    template = printing.policy.template(kind)
    if kind is not DocumentKind.DOSSIER:
        return setter.render(template, fields, stamp)
    issued = session.scalars(
        select(IssuedDocument)
        .where(IssuedDocument.case_id == case.id, IssuedDocument.kind != DocumentKind.DOSSIER.value)
        .order_by(IssuedDocument.issued_at, IssuedDocument.number)
    ).all()
    printed = _records_printed(case_chain(session, case))
    return assemble_dossier(
        lambda f: setter.render(template, f, stamp),
        fields,
        [(d.number, printed.get(d.id, d.title), b"".join(store.open(d.sha256))) for d in issued],
    )


def _records_printed(chain: Sequence[ChainEntry]) -> dict[str, str]:
    """For each issued document that prints one record of several (kinds.ONE_PER_ENTRY), its title with the
    record's time, as the dossier's contents list it (询问笔录（2026年6月1日10时00分）)."""
    by_seq = {e.seq: e for e in chain}
    out = {}
    for entry in chain:
        prints = entry.body.get("prints") if entry.type == ISSUED else None
        if prints and (record := by_seq.get(int(prints["seq"]))) is not None:
            out[str(entry.body["document_id"])] = f"{entry.body['title']}（{_minute(record.claimed_at)}）"
    return out


def unissued_records(chain: Sequence[ChainEntry]) -> list[ChainEntry]:
    """The records a case holds several of (询问笔录, 现场检查笔录, 查封、扣押决定 and its extension, release and
    testing, 强制执行决定, 强制拆除公告: kinds.ONE_PER_ENTRY) that no issued document prints yet."""
    printed = {int(e.body["prints"]["seq"]) for e in chain if e.type == ISSUED and e.body.get("prints")}
    kinds = set(ONE_PER_ENTRY.values())
    return [e for e in chain if e.type in kinds and e.seq not in printed]


def assemble_dossier(
    typeset: Callable[[DocumentFields], bytes], fields: DocumentFields, documents: Sequence[tuple[str, str, bytes]]
) -> bytes:
    """The dossier (卷宗): its cover and table of contents, every issued document in order, and the closing
    note (备考表) last. Its pages are numbered through (卷内页码): every page of every document carries its number
    in the dossier at the top right (laid over it from the dossier template's numbering pages), and the contents
    list each document with those numbers."""
    readers = [PdfReader(io.BytesIO(pdf)) for _, _, pdf in documents]
    counts = [len(reader.pages) for reader in readers]
    inner = sum(counts)
    front = 2
    for _ in range(3):  # the table of contents may run onto more pages than the first guess
        page = front + 1
        lines = []
        for (number, title, _), count in zip(documents, counts, strict=True):
            lines.append(Line(label=number, text=title, note=f"{page}" if count == 1 else f"{page}–{page + count - 1}"))
            page += count
        total = page  # the closing note is the last page
        laid_out = fields.model_copy(
            update={
                "contents": lines,
                "total_pages": str(total),
                "document_page_numbers": [str(n) for n in range(front + 1, front + 1 + inner)],
            }
        )
        matter = PdfReader(io.BytesIO(typeset(laid_out)))
        if len(matter.pages) - 1 - inner == front:
            break
        front = len(matter.pages) - 1 - inner
    writer = PdfWriter()
    for index in range(front):
        writer.add_page(matter.pages[index])
    for reader in readers:
        writer.append(reader)
    for offset in range(inner):
        writer.pages[front + offset].merge_page(matter.pages[front + offset])
    writer.add_page(matter.pages[front + inner])
    writer.add_metadata({"/Title": fields.title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def draft(
    session: Session,
    store: EvidenceStore,
    printing: Printing,
    case: Case,
    kind: DocumentKind,
    now: datetime,
    entry: int | None = None,
) -> bytes:
    """The document as it would be issued now, watermarked 草稿, the party as every reader of the case sees it.
    Nothing is recorded or stored. ``entry``: the record it prints, for the kinds of which a case has several."""
    _refuse_unless_ready(session, printing.case_context, case, kind, now)
    record = chosen_record(session, case, kind, entry)
    fields = _fields(session, printing, case, kind, clear=False, at=now, record=record)
    return render(session, store, printing, case, kind, fields, None)


def issue(
    session: Session,
    store: EvidenceStore,
    printing: Printing,
    principal: Principal,
    case: Case,
    kind: DocumentKind,
    now: datetime,
    entry: int | None = None,
) -> IssuedDocument:
    """Issue a document of ``kind`` for ``case``: numbered, stamped, stored and recorded (not yet integrated).
    ``entry``: the record it prints, for the kinds of which a case may hold several (kinds.ONE_PER_ENTRY)."""
    rule = RULES[kind]
    if not principal.has(rule.issued_with):
        raise Forbidden(
            f"issuing a {kind.value} needs the permission {rule.issued_with}",
            f"制发{rule.title}需要权限 {rule.issued_with}",
            extra={"permission": str(rule.issued_with)},
        )
    lock_case(session, case)
    _refuse_unless_ready(session, printing.case_context, case, kind, now, issuing=True)
    chosen = chosen_record(session, case, kind, entry)
    agency = agency_of(session, case.agency_id)
    document_id = new_document_id()
    year = local_date(now).year
    stream = f"document-numbers:{kind.value}:{year}"
    n = lock_stream(session, agency.id, stream)[0] + 1
    number = printing.policy.number(
        kind, printing.case_context.case_policy.prefixes.get(agency.code, agency.code), year, n
    )
    record(
        session,
        agency_ref(agency),
        stream=stream,
        type=NUMBERED,
        actor=principal.actor,
        at=now,
        body={"case_id": case.id, "document_id": document_id, "kind": kind.value, "number": number, "sequence": n},
    )
    url = verify_url(printing.public_base_url, agency.code, document_id)
    fields = _fields(session, printing, case, kind, clear=True, at=now, record=chosen).model_copy(
        update={"number": number, "document_id": printed_id(document_id), "verify_url": url, "draft": False}
    )
    pdf = render(session, store, printing, case, kind, fields, Stamp(printed_id(document_id), url))
    stored = store.save_bytes([pdf], MAX_DOCUMENT_BYTES)
    record(
        session,
        agency_ref(agency),
        stream=case_stream(case.id),
        type=ISSUED,
        actor=principal.actor,
        at=now,
        body={
            "case_id": case.id,
            "document_id": document_id,
            "kind": kind.value,
            "title": rule.title,
            "number": number,
            "sha256": stored.sha256,
            "size": stored.size,
            "pages": len(PdfReader(io.BytesIO(pdf)).pages),
            "templates": printing.policy.version,
            # Which of the party's fields the document prints (their values stay out of the ledger).
            "party_fields": [name for name in ("name", "id_number", "address") if getattr(fields, f"party_{name}")],
        }
        | (
            {}
            if chosen is None
            else {"prints": {"seq": chosen.seq, "type": chosen.type, "entry_hash": chosen.entry_hash}}
        ),
    )
    found = session.get(IssuedDocument, document_id)
    assert found is not None
    return found


@projector(ISSUED)
def _issued(session: Session, entry: EntryContent) -> None:
    body = entry.body
    case = session.get(Case, uuid.UUID(body["case_id"]))
    assert case is not None
    # The case knows what was issued for it: serving a decision waits for its document (第六十一条).
    case.keep_file(document_issued(case.case_file, body["kind"], entry.recorded_at))
    session.add(
        IssuedDocument(
            id=body["document_id"],
            agency_id=case.agency_id,
            case_id=case.id,
            kind=body["kind"],
            title=body["title"],
            number=body["number"],
            sha256=body["sha256"],
            size=body["size"],
            pages=body["pages"],
            issued_at=entry.recorded_at,
            issued_by=entry.actor,
            record_seq=body["prints"]["seq"] if "prints" in body else None,
        )
    )


@projector(NUMBERED)
def _numbered(session: Session, entry: EntryContent) -> None:
    """A number taken from the agency's numbering of a kind; the document's row carries it."""


class NotYetSealed(Conflict):
    code = "not_yet_sealed"
    title_zh = "尚未纳入检查点"
    title_en = "Not yet under a signed checkpoint"


def issue_entry(session: Session, item: IssuedDocument) -> LedgerEntry:
    """The entry that recorded ``item`` (on its case's chain)."""
    for entry in session.scalars(
        select(LedgerEntry).where(
            LedgerEntry.agency_id == item.agency_id,
            LedgerEntry.stream == case_stream(item.case_id),
            LedgerEntry.type == ISSUED,
        )
    ):
        if json.loads(bytes(entry.canonical))["body"]["document_id"] == item.id:
            return entry
    raise NotFound("the document's entry is missing", "文书的账本记录缺失")


@dataclass(frozen=True)
class Printable:
    """A document a case can have now: its kind, its title as printed, the record it prints (for the kinds a case
    may hold several of, kinds.ONE_PER_ENTRY: the record's position on the case's chain) and the document issued
    for it last, if any."""

    kind: DocumentKind
    title: str
    entry: int | None
    issued: IssuedDocument | None


def printable(
    session: Session,
    context: CaseContext,
    case: Case,
    principal: Principal,
    now: datetime,
    issued_documents: Sequence[IssuedDocument] | None = None,
    closing_held: tuple[GuardFailure, ...] | None = None,
) -> list[Printable]:
    """The documents ``case`` establishes now that ``principal`` may issue, in the order of kinds.RULES, each record
    of a kind a case holds several of on its own (第四十二条、第五十五条: each is signed by the one it records).
    ``issued_documents``: the case's, oldest first, when the caller has read them (``documents_of``);
    ``closing_held``: ``closing_refusals`` of the case now, when the caller has them."""
    chain = case_chain(session, case)
    recorded = frozenset(e.type for e in chain)
    issued_all = documents_of(session, case) if issued_documents is None else issued_documents
    issued = {(d.kind, d.record_seq): d for d in issued_all}  # oldest first: the last one stays
    out: list[Printable] = []
    for kind, rule in RULES.items():
        if not principal.has(rule.issued_with) or missing_fact(kind, case.case_file, recorded) is not None:
            continue
        if kind is DocumentKind.CLOSING_APPROVAL and (
            closing_refusals(session, context, case, now) if closing_held is None else closing_held
        ):
            continue
        entries: list[int | None] = [r.seq for r in record_entries(chain, kind)] if kind in ONE_PER_ENTRY else [None]
        out.extend(Printable(kind, rule.title, seq, issued.get((kind.value, seq))) for seq in entries)
    return out


def documents_of(session: Session, case: Case) -> list[IssuedDocument]:
    return list(
        session.scalars(
            select(IssuedDocument).where(IssuedDocument.case_id == case.id).order_by(IssuedDocument.issued_at)
        )
    )


def issued_document(session: Session, case: Case, document_id: str) -> IssuedDocument:
    found = session.get(IssuedDocument, normalise_reference(document_id))
    if found is None or found.case_id != case.id:
        raise NotFound("no such document of this case", "本案没有该文书")
    return found


def find_issued(session: Session, agency_id: uuid.UUID, reference: str) -> IssuedDocument:
    """An agency's issued document by its printed identifier or by the SHA-256 of its bytes."""
    key = normalise_reference(reference)
    if len(key) == 64:
        found = session.scalars(
            select(IssuedDocument).where(IssuedDocument.agency_id == agency_id, IssuedDocument.sha256 == key).limit(1)
        ).first()
    else:
        found = session.get(IssuedDocument, key)
    if found is None or found.agency_id != agency_id:
        raise NotFound(
            "no document with this identifier or SHA-256 was issued by this agency",
            "本机关未制发具有该编号或 SHA-256 的文书（扫描件、复印件或重新录入的文本不是制发的原件）",
        )
    return found


def read_disclosed(
    session: Session,
    store: EvidenceStore,
    principal: Principal,
    case: Case,
    document_id: str,
    reason: str,
    now: datetime,
) -> tuple[IssuedDocument, bytes]:
    """An issued document's bytes. It prints the party's personal data in clear, so reading it is a disclosure,
    recorded on the case's chain like any other (service/cases/disclosure.py)."""
    item = issued_document(session, case, document_id)
    disclose_party(session, principal, case, f"{given_reason(reason)}（文书 {item.number}）", now)
    return item, b"".join(store.open(item.sha256))


def proof_of(session: Session, item: IssuedDocument) -> DocumentProof:
    """The entry that recorded ``item``, its inclusion proof and the latest signed checkpoint it reaches."""
    entry = issue_entry(session, item)
    answer = prove_entry(session, item.agency_id, bytes(entry.entry_hash))
    if answer is None or answer.index is None or not answer.signed:
        raise NotYetSealed(
            "the document's entry is not yet under a signed checkpoint", "该文书的记录尚未纳入已签名的检查点"
        )
    checkpoint = checkpoint_note(session, item.agency_id)
    agency = session.get_one(Agency, item.agency_id)
    return DocumentProof(
        bytes(entry.canonical), answer.index, answer.size, answer.proof, checkpoint.note, agency.checkpoint_vkey
    )


# What the verification page says of paper: only the issued file is the original.
NOT_THE_ORIGINAL = (
    "只有制发的电子文件本身（其 SHA-256 与此处记载一致）才是该文书的原件；扫描件、复印件或重新录入的文本不是原件，"
    "须与原件核对。 Only the issued file itself, whose SHA-256 is the one recorded here, is the issued document: "
    "a scan, a photocopy or a re-typed text is not, and must be checked against it."
)


@dataclass(frozen=True)
class PublicDocument:
    agency_code: str
    agency_name: str
    document: IssuedDocument
    proof: DocumentProof


def public_document(session: Session, agency_code: str, reference: str) -> PublicDocument:
    """What anyone may learn of a document an agency issued, by its printed identifier or its SHA-256."""
    agency = get_agency_by_code(session, agency_code)
    item = find_issued(session, agency.id, reference)
    return PublicDocument(agency.code, agency.name, item, proof_of(session, item))
