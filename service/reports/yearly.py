"""The agency's yearly enforcement statistics (published before 31 January: 国办发〔2018〕118号 item 6).

Every figure is counted from the ledger's entries, then checked against the case tables; a disagreement is
reported, never hidden. Read-only.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.cases.context import CaseContext
from service.cases.deadlines_view import case_deadlines
from service.cases.models import Case
from service.ledger.models import LedgerEntry
from service.officers.policy import OfficerPolicy
from service.officers.reports import certified_officers, reviewer_share, training_figures
from service.officers.service import account_links, participant_key
from service.policy.calendar import SHANGHAI

DECISION_TYPES = (
    "case:decision:penalty",
    "case:decision:no_penalty",
    "case:judicial_transfer:made",
    "case:summary_decision:made",
    "case:decision:order",  # an order the item's law provides, as the decision (第二十八条)
)


@dataclass
class YearFigures:
    year: int
    cases_registered: int = 0
    cases_by_item: dict[str, int] = field(default_factory=dict)
    cases_by_procedure: dict[str, int] = field(default_factory=dict)
    decisions_by_outcome: dict[str, int] = field(default_factory=dict)
    decisions_revoked: int = 0
    fines_decided_fen: int = 0
    fines_collected_fen: int = 0
    hearings_held: int = 0
    legal_reviews: int = 0
    legal_reviews_with_problems: int = 0
    collective_discussions: int = 0
    reconsiderations: int = 0  # 行政复议 filed in the year
    lawsuits: int = 0  # 行政诉讼 filed in the year
    remedy_results: dict[str, int] = field(default_factory=dict)  # upheld, changed, revoked, confirmed_illegal
    court_appearances: int = 0  # 出庭应诉 by the heads (行政诉讼法 第三条第三款)
    overdue_cases: int = 0
    certified_officers: int = 0
    reviewers: int = 0
    reviewer_share_percent: float = 0.0
    # Trainings and exams of all staff, officers or not, held in the year (国办发〔2018〕118号: 加强执法培训).
    trainings_held: int = 0
    training_attendances: int = 0
    staff_trained: int = 0  # distinct people
    exams_held: int = 0
    exam_takers: int = 0  # distinct people
    exam_passers: int = 0  # distinct people who passed at least one exam
    consistent_with_tables: bool = True
    discrepancies: list[str] = field(default_factory=list)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 January 00:00, next 1 January 00:00) in Asia/Shanghai."""
    return datetime.combine(date(year, 1, 1), time(), SHANGHAI), datetime.combine(
        date(year + 1, 1, 1), time(), SHANGHAI
    )


def yearly_figures(
    session: Session,
    context: CaseContext,
    officer_policy: OfficerPolicy,
    agency_id: uuid.UUID,
    year: int,
    now: datetime,
) -> YearFigures:
    start, end = year_bounds(year)
    figures = YearFigures(year)
    rows = session.execute(
        select(LedgerEntry.type, LedgerEntry.canonical).where(
            LedgerEntry.agency_id == agency_id,
            LedgerEntry.claimed_at >= start,
            LedgerEntry.claimed_at < end,
            LedgerEntry.stream.like("case:%"),
        )
    )
    by_item: Counter[str] = Counter()
    by_procedure: Counter[str] = Counter()
    by_outcome: Counter[str] = Counter()
    by_result: Counter[str] = Counter()
    for entry_type, canonical in rows:
        body = json.loads(canonical)["body"]
        if entry_type == "case:case:registered":
            figures.cases_registered += 1
            by_item[body["item_code"]] += 1
            by_procedure[body["procedure"]] += 1
        elif entry_type in DECISION_TYPES:
            outcome = {
                "case:decision:penalty": "penalty",
                "case:summary_decision:made": "penalty",
                "case:judicial_transfer:made": "transferred",
                "case:decision:order": "order",
            }.get(entry_type) or body["data"]["outcome"]
            by_outcome[outcome] += 1
            penalty = body.get("data", {}).get("penalty")
            if outcome == "penalty" and penalty:
                figures.fines_decided_fen += int(penalty["fine_fen"])
        elif entry_type == "case:decision:revoked":
            figures.decisions_revoked += 1
        elif entry_type == "case:payment:recorded":
            figures.fines_collected_fen += int(body["data"]["amount_fen"])
        elif entry_type == "case:hearing:held":
            figures.hearings_held += 1
        elif entry_type == "case:legal_review:signed":
            figures.legal_reviews += 1
        elif entry_type == "case:legal_review:recorded" and body["opinion"] == "problems_found":
            figures.legal_reviews_with_problems += 1
        elif entry_type == "case:collective_discussion:signed":
            figures.collective_discussions += 1
        elif entry_type == "case:remedy:filed":
            if body["data"]["kind"] == "lawsuit":
                figures.lawsuits += 1
            else:
                figures.reconsiderations += 1
        elif entry_type == "case:remedy:decided":
            by_result[body["data"]["result"]] += 1
        elif entry_type == "case:court_appearance:recorded":
            figures.court_appearances += 1
    figures.cases_by_item = dict(sorted(by_item.items()))
    figures.cases_by_procedure = dict(sorted(by_procedure.items()))
    figures.decisions_by_outcome = dict(sorted(by_outcome.items()))
    figures.remedy_results = dict(sorted(by_result.items()))

    last_day = min(end - timedelta(microseconds=1), now)
    cases = session.scalars(select(Case).where(Case.agency_id == agency_id, Case.registered_at < end)).all()
    figures.overdue_cases = sum(
        1 for c in cases if any(d.overdue for d in case_deadlines(session, context, c, last_day))
    )
    on = last_day.astimezone(SHANGHAI).date()
    figures.certified_officers = len(certified_officers(session, agency_id, officer_policy, on))
    share = reviewer_share(session, agency_id, officer_policy, on)
    figures.reviewers, figures.reviewer_share_percent = share.reviewers, share.percent
    _count_trainings(session, agency_id, year, figures)
    _check_against_tables(session, agency_id, start, end, figures)
    return figures


def _count_trainings(session: Session, agency_id: uuid.UUID, year: int, figures: YearFigures) -> None:
    """Trainings and exams held in the year, from the agency's ``officer:training:recorded`` entries; people are
    counted once however many sessions they attended (an officer or a line of the staff register with an account
    is that user)."""
    links = account_links(session, agency_id)
    trained: set[str] = set()
    takers: set[str] = set()
    passers: set[str] = set()
    rows = session.scalars(
        select(LedgerEntry.canonical).where(
            LedgerEntry.agency_id == agency_id, LedgerEntry.type == "officer:training:recorded"
        )
    )
    for canonical in rows:
        body = json.loads(canonical)["body"]
        if date.fromisoformat(body["held_on"]).year != year:
            continue
        people = [(participant_key(p, links), bool(p.get("passed"))) for p in body["participants"]]
        if body["kind"] == "training":
            figures.trainings_held += 1
            figures.training_attendances += len(people)
            trained.update(key for key, _ in people)
        else:
            figures.exams_held += 1
            takers.update(key for key, _ in people)
            passers.update(key for key, passed in people if passed)
    figures.staff_trained, figures.exam_takers, figures.exam_passers = len(trained), len(takers), len(passers)
    table = training_figures(session, agency_id, year)
    if (table.trainings, table.exams, table.training_attendances) != (
        figures.trainings_held,
        figures.exams_held,
        figures.training_attendances,
    ):
        figures.discrepancies.append("trainings and exams differ between the ledger and the training table")


def _check_against_tables(
    session: Session, agency_id: uuid.UUID, start: datetime, end: datetime, figures: YearFigures
) -> None:
    in_year = (Case.agency_id == agency_id, Case.registered_at >= start, Case.registered_at < end)
    table_items = dict(
        session.execute(select(Case.item_code, func.count()).where(*in_year).group_by(Case.item_code)).all()
    )
    if {k: int(v) for k, v in table_items.items()} != figures.cases_by_item:
        figures.discrepancies.append("cases by item differ between the ledger and the case table")
    decided = (Case.agency_id == agency_id, Case.decided_at >= start, Case.decided_at < end, Case.outcome == "penalty")
    table_fines = session.scalar(select(func.coalesce(func.sum(Case.fine_fen), 0)).where(*decided))
    if int(table_fines or 0) != figures.fines_decided_fen:
        figures.discrepancies.append("fines decided differ between the ledger and the case table")
    figures.consistent_with_tables = not figures.discrepancies


def as_csv(figures: YearFigures) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["figure", "key", "value"])
    for name, value in figures.__dict__.items():
        if isinstance(value, dict):
            for key, count in value.items():
                writer.writerow([name, key, count])
        elif isinstance(value, list):
            for item in value:
                writer.writerow([name, "", item])
        else:
            writer.writerow([name, "", value])
    return out.getvalue()


LABELS = {
    "cases_registered": "登记案件数",
    "decisions_revoked": "撤销的处罚决定",
    "fines_decided_fen": "决定罚款（元）",
    "fines_collected_fen": "收缴罚款（元）",
    "hearings_held": "举行听证",
    "legal_reviews": "法制审核（件）",
    "legal_reviews_with_problems": "审核发现问题（件）",
    "collective_discussions": "集体讨论（件）",
    "reconsiderations": "被申请行政复议（件）",
    "lawsuits": "被提起行政诉讼（件）",
    "court_appearances": "负责人出庭应诉（次）",
    "overdue_cases": "超期案件",
    "certified_officers": "持证执法人员",
    "reviewers": "法制审核人员",
    "reviewer_share_percent": "审核人员占执法人员比例（%）",
    "trainings_held": "举办培训（次）",
    "training_attendances": "参加培训（人次）",
    "staff_trained": "参加培训人数",
    "exams_held": "组织考试（次）",
    "exam_takers": "参加考试人数",
    "exam_passers": "考试合格人数",
}


def as_html(agency_name: str, figures: YearFigures) -> str:
    """A page that prints well on A4, in Chinese."""

    def money(name: str, value: Any) -> str:
        return f"{value / 100:,.2f}" if name.endswith("_fen") else str(value)

    rows = "".join(
        f"<tr><th>{LABELS[k]}</th><td>{money(k, v)}</td></tr>" for k, v in figures.__dict__.items() if k in LABELS
    )
    groups = ""
    for title, mapping in (
        ("按执法事项", figures.cases_by_item),
        ("按程序", figures.cases_by_procedure),
        ("按处理结果", figures.decisions_by_outcome),
        ("复议、诉讼结果", figures.remedy_results),
    ):
        cells = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in mapping.items()) or "<tr><td>—</td></tr>"
        groups += f"<h2>{title}</h2><table>{cells}</table>"
    check = "与案件表核对一致" if figures.consistent_with_tables else "；".join(figures.discrepancies)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{agency_name} {figures.year}年行政执法统计</title>
<style>
@page {{ size: A4; margin: 20mm 18mm; }}
body {{ font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "Songti SC", serif; font-size: 11pt; }}
h1 {{ font-size: 16pt; text-align: center; }} h2 {{ font-size: 12pt; margin-top: 8mm; }}
table {{ width: 100%; border-collapse: collapse; page-break-inside: avoid; }}
th, td {{ border: 0.5pt solid #444; padding: 2mm 3mm; text-align: left; }} td {{ text-align: right; }}
footer {{ margin-top: 10mm; font-size: 9pt; color: #555; }}
</style></head><body>
<h1>{agency_name}<br>{figures.year}年度行政执法数据统计</h1>
<table>{rows}</table>{groups}
<footer>数据来源：执法全过程记录账本（各项数字由账本记录统计，并已{check}）。</footer>
</body></html>
"""
