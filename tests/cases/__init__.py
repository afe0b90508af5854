"""Shared facts for the specifications of the case rules: the real calendar and workflows, two sample items
(CQ-TM-003 household waste, general procedure; CQ-TM-013 littering, summary procedure) and officers whose
qualifications are computed by ``service.officers.qualification.qualified`` at the moment of each act."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from service.cases.guards import (
    CaseFacts,
    DiscretionBand,
    FineRange,
    HearingFacts,
    ItemRules,
    StatementStatus,
    TimeBarFacts,
)
from service.cases.workflow import Procedure, load_workflows
from service.officers.qualification import (
    CertificateFacts,
    ItemFacts,
    OfficerFacts,
    Qualification,
    QualificationPolicy,
    qualified,
)
from service.policy.calendar import load_calendar
from service.policy.catalogue import PenaltyKind

ROOT = Path(__file__).resolve().parents[2]
CALENDAR = load_calendar(ROOT / "policies" / "calendar" / "cn-workdays.yaml")
WORKFLOWS = load_workflows(ROOT / "policies" / "workflows")
GENERAL = WORKFLOWS[Procedure.GENERAL]
SUMMARY = WORKFLOWS[Procedure.SUMMARY]
CST = ZoneInfo("Asia/Shanghai")

FINE = frozenset({PenaltyKind.FINE})
WARNING = frozenset({PenaltyKind.WARNING})


def cst(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=CST)


# 固体废物污染环境防治法 第一百一十一条第一款第一项: organisation 50,000–500,000 yuan, individual 100–500 yuan.
WASTE = ItemRules(
    code="CQ-TM-003",
    penalty_kinds=FINE,
    statutory_fines={"individual": FineRange(10_000, 50_000), "organisation": FineRange(5_000_000, 50_000_000)},
    discretion=(
        DiscretionBand(
            "lighter",
            "从轻",
            FINE,
            {"individual": FineRange(10_000, 22_000), "organisation": FineRange(5_000_000, 18_500_000)},
        ),
        DiscretionBand(
            "ordinary",
            "一般",
            FINE,
            {"individual": FineRange(22_001, 37_999), "organisation": FineRange(18_500_001, 36_499_999)},
        ),
        DiscretionBand(
            "heavier",
            "从重",
            FINE,
            {"individual": FineRange(38_000, 50_000), "organisation": FineRange(36_500_000, 50_000_000)},
        ),
    ),
    hearing_threshold_fen={"individual": 500_000, "organisation": 5_000_000},
    hearing_always_for=frozenset(),
    single_officer_allowed_by=None,
    required_kinds={},
    time_bar_years=2,
    time_bar_years_if_harm=None,
    measures=frozenset({"order_correct"}),
)

# 重庆市市容环境卫生管理条例 第四十五条: individual 50–200 yuan, organisation 200–2,000 yuan; a warning is modelled too.
LITTERING = ItemRules(
    code="CQ-TM-013",
    penalty_kinds=frozenset({PenaltyKind.WARNING, PenaltyKind.FINE}),
    statutory_fines={"individual": FineRange(5_000, 20_000), "organisation": FineRange(20_000, 200_000)},
    discretion=(
        DiscretionBand("warning", "减轻", WARNING, {}),
        DiscretionBand(
            "lighter", "从轻", FINE, {"individual": FineRange(5_000, 9_500), "organisation": FineRange(20_000, 74_000)}
        ),
        DiscretionBand(
            "ordinary",
            "一般",
            FINE,
            {"individual": FineRange(9_501, 15_499), "organisation": FineRange(74_001, 145_999)},
        ),
        DiscretionBand(
            "heavier",
            "从重",
            FINE,
            {"individual": FineRange(15_500, 20_000), "organisation": FineRange(146_000, 200_000)},
        ),
    ),
    hearing_threshold_fen={"individual": 500_000, "organisation": 5_000_000},
    hearing_always_for=frozenset(),
    single_officer_allowed_by=None,
    required_kinds={},
    time_bar_years=2,
    time_bar_years_if_harm=None,
    measures=frozenset({"order_correct"}),
)

POLICY = QualificationPolicy(annual_review_grace_days=30, review_required=True)


def certificate(
    number: str, expires_on: date = date(2027, 12, 31), categories: frozenset[str] | None = None
) -> CertificateFacts:
    return CertificateFacts(
        number=number,
        issued_on=date(2024, 1, 1),
        expires_on=expires_on,
        scope_items=frozenset(),
        scope_categories=frozenset({"solid_waste", "city_appearance"}) if categories is None else categories,
        territory=None,
        status_history=(),
        reviews=(date(2025, 1, 10), date(2026, 1, 10)),
    )


ZHANG = OfficerFacts("officer-1", "张三", (certificate("50015500001"),))
LI = OfficerFacts("officer-2", "李四", (certificate("50015500002"),))
WANG = OfficerFacts("officer-3", "王五", (certificate("50015500003"),))
CATEGORY = {WASTE.code: "solid_waste", LITTERING.code: "city_appearance"}


def qualifications(
    at: datetime, item_code: str, *officers: OfficerFacts, case_id: str = "case-1"
) -> tuple[Qualification, ...]:
    item = ItemFacts(item_code, CATEGORY.get(item_code, "other"))
    return tuple(qualified(o, item, at, POLICY, case_id=case_id) for o in officers)


FILED_AT = cst(2025, 3, 3)


def facts(now: datetime = FILED_AT, item: ItemRules | None = WASTE, **changes: Any) -> CaseFacts:
    """Facts of a case filed on 3 March 2025, acted on by two qualified officers, with nothing else yet done."""
    code = item.code if item is not None else "CQ-TM-999"
    base = CaseFacts(
        now=now,
        calendar=CALENDAR,
        party_type="organisation",
        item_code=code,
        item=item,
        filed_at=FILED_AT,
        decision_deadline_extensions=(),
        investigators=frozenset({ZHANG.officer_id, LI.officer_id}),
        acting_officers=qualifications(now, code, ZHANG, LI),
        recused_officers=frozenset(),
        reason=None,
        notice=None,
        statement=StatementStatus.NONE,
        hearing=HearingFacts(),
        proposed=None,
        review_required=False,
        review_passed_and_current=False,
        collective_discussion_required=False,
        collective_discussion_held=False,
        decision=None,
        execution=None,
        preservation=None,
        summary_form_number=None,
        summary_form_used_by=None,
        # The act a fortnight before the case source was registered on 1 March 2025: within the bar (第三十六条).
        time_bar=TimeBarFacts(date(2025, 2, 14), None, date(2025, 3, 1), False),
        payment=None,
        correction=None,
        deciders=frozenset(),
        discretion_departure_by_principal=False,
        decision_signed=True,
        decision_document_issued=True,
    )
    return replace(base, **changes)
