"""The fields a document template may name, declared once, and the check that refuses a template naming others.

A template (``policies/documents/*.typ``, Typst markup) reads the case through one dictionary, ``doc``: it writes
``#doc.party_name`` or ``#for line in doc.evidence [...]``. ``DocumentFields`` is that dictionary's schema. A
template that names a field the schema lacks — a typo, or a field an office wished existed — is refused when
the templates are loaded, with the file and line, rather than failing (or printing nothing) in front of a party.
Pure: no I/O beyond the text handed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field


class Line(BaseModel):
    """One row of a table a document prints (evidence, attendees' opinions, the dossier's contents)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    label: str = ""
    text: str = ""
    note: str = ""


class DocumentFields(BaseModel):
    """What a template may print. Empty strings are fields the case does not (yet) establish."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # The document itself
    title: str
    number: str = ""  # e.g. 铁门罚告〔2026〕3号
    document_id: str = ""  # printed on every page with the QR code (issued documents)
    verify_url: str = ""
    draft: bool = True
    issued_on: str = ""
    # The agency
    agency_name: str
    reconsideration_body: str = ""  # 复议机关
    reconsideration_period: str = ""  # 六十日 (行政复议法 第二十条)
    court: str = ""
    litigation_period: str = ""  # 六个月 (行政诉讼法 第四十六条)
    payment_place: str = ""
    contact: str = ""
    # The case
    case_number: str = ""
    case_title: str = ""
    procedure: str = ""
    source: str = ""
    registered_on: str = ""
    filed_on: str = ""
    occurred_on: str = ""
    place: str = ""
    item_name: str = ""
    violation_basis: str = ""
    penalty_basis: str = ""
    measures: str = ""  # the item's orders that are not penalties, e.g. 责令限期改正 (第二十八条)
    # 第二十八条第一款: the order to correct the case recorded last (the step order_correction) — what is required and
    # by when; a notice printed before any is recorded leaves them to be written in by hand.
    correction_requirement: str = ""
    correction_deadline: str = ""  # 2026年6月8日
    officers: list[str] = Field(default_factory=list)  # 姓名（执法证号）
    # The party (personal data: shown as the document needs it)
    party_type: str = ""
    party_name: str = ""
    party_id_number: str = ""
    party_address: str = ""
    party_phone: str = ""
    # Facts, evidence, penalty
    facts: str = ""
    reasons: str = ""
    basis: str = ""
    evidence: list[Line] = Field(default_factory=list)
    penalty: str = ""  # 罚款2000元（贰仟元整）
    fine_figures: str = ""
    fine_capitals: str = ""
    discretion: str = ""
    statement: str = ""  # whether the party's statement and defence were heard, and what came of it
    informs_statement_and_defence: bool = False
    informs_hearing_right: bool = False
    notice_served_on: str = ""
    decided_on: str = ""
    # Records
    record_place: str = ""
    record_time: str = ""
    record_subject: str = ""
    record_text: str = ""
    # Evidence preserved by registration (第五十六条)
    preserved_items: str = ""
    preservation_decision: str = ""
    # Sealing or seizure (查封、扣押, 行政强制法 第二十四条): what the decision and its list state
    seizure_kind: str = ""  # 查封 or 扣押
    seizure_reason: str = ""
    seizure_basis: str = ""
    seizure_period: str = ""  # e.g. 三十日（2026年6月1日至2026年7月1日）
    seizure_approval: str = ""  # approved before (第十八条第一项), or taken urgently and reported (第十九条)
    seizure_place: str = ""
    # Its extension (第二十五条第二款) or release (第二十八条), decided by the head and told to the party in writing
    seizure_decided_on: str = ""  # the day the sealing or seizure was decided
    seizure_extension: str = ""  # e.g. 三十日，至2026年7月31日
    seizure_extension_reason: str = ""
    seizure_release_ground: str = ""
    seizure_returned: str = ""
    seized_things: list[Line] = Field(default_factory=list)  # label: number, text: name, note: quantity
    # Its things sent for testing, inspection, quarantine or technical appraisal (第二十五条第三款)
    appraisal_kind: str = ""  # 检测, 检验, 检疫 or 技术鉴定
    appraisal_institution: str = ""
    appraisal_period: str = ""  # e.g. 十日（2026年6月11日至2026年6月20日）
    # The agency's own compulsory execution (行政强制法 第三十七条) and the announcement of a demolition (第四十四条)
    execution_facts: str = ""  # the decision executed, the reminder, the party's statement and its review
    execution_grounds: str = ""
    execution_basis: str = ""
    execution_how: str = ""
    execution_on: str = ""  # the day from which it is carried out
    execution_remedies: str = ""
    execution_decided_on: str = ""
    execution_decision_number: str = ""  # the issued 行政强制执行决定书's number, for the announcement
    demolition_text: str = ""
    demolition_posted_at: str = ""
    demolish_by: str = ""  # the last day for the party to demolish it themselves
    # Hearing
    hearing_time: str = ""
    hearing_place: str = ""
    hearing_chair: str = ""
    # Legal review and collective discussion
    review_opinion: str = ""
    review_comment: str = ""
    review_materials: str = ""
    review_by: str = ""
    review_on: str = ""
    discussion_on: str = ""
    discussion_attendees: str = ""
    discussion_opinions: list[Line] = Field(default_factory=list)
    discussion_conclusion: str = ""
    discussion_chair: str = ""
    # Outcomes, service, closing
    no_penalty_reason: str = ""
    form_number: str = ""
    served: list[Line] = Field(default_factory=list)  # the documents a proof of service covers
    service_method: str = ""
    execution: str = ""
    outstanding: str = ""  # the fine still unpaid, in figures and capitals (催告书)
    decision_number: str = ""  # the issued decision's number, for documents that refer to it
    decision_served_on: str = ""
    closed_on: str = ""
    # The dossier
    contents: list[Line] = Field(default_factory=list)  # label: number, text: title, note: pages
    total_pages: str = ""
    # The dossier-wide page number (卷内页码) of each page of the documents merged into the dossier, in order
    document_page_numbers: list[str] = Field(default_factory=list)


DECLARED = frozenset(DocumentFields.model_fields)
_FIELD = re.compile(r"\bdoc\.([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class UnknownField:
    source: str  # file name
    line: int
    name: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: the template names doc.{self.name}, which no document field declares"


def unknown_fields(source: str, text: str) -> list[UnknownField]:
    """Every ``doc.NAME`` in ``text`` whose NAME is not a declared field, with its line (1-based)."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        code = line.split("//", 1)[0]  # a Typst line comment names nothing
        found += [UnknownField(source, number, m.group(1)) for m in _FIELD.finditer(code) if m.group(1) not in DECLARED]
    return found
