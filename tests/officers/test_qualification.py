"""Specification of ``qualified``: 行政处罚法 第四十二条、第四十三条, and by analogy
交通运输行政执法证件管理规定 第二十二条、第二十五条、第三十条、第三十一条至第三十三条."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from random import Random
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.officers.qualification import (
    CertificateFacts,
    CertificateStatus,
    ItemFacts,
    OfficerFacts,
    Qualification,
    QualificationPolicy,
    ReasonCode,
    StatusChange,
    qualified,
)
from service.policy.calendar import local_date

CST = ZoneInfo("Asia/Shanghai")
POLICY = QualificationPolicy(annual_review_grace_days=30, review_required=True)
NO_REVIEW = QualificationPolicy(annual_review_grace_days=0, review_required=False)
EVACUATION_ROUTES = ItemFacts(code="xf-60-1-3", category="fire-safety")  # 消防法 第六十条第一款第三项
WASTE = ItemFacts(code="gf-111-1-1", category="solid-waste")

CERTIFICATE = CertificateFacts(
    number="50015500001",
    issued_on=date(2024, 1, 1),
    expires_on=date(2026, 12, 31),
    scope_items=frozenset(),
    scope_categories=frozenset({"fire-safety"}),
    territory=None,
    status_history=(),
    reviews=(date(2025, 1, 10), date(2026, 1, 10)),
)


def cst(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=CST)


def officer(*certificates: CertificateFacts, recused: frozenset[str] = frozenset()) -> OfficerFacts:
    return OfficerFacts("officer-7", "张三", certificates, recused)


def change(status: CertificateStatus, at: datetime) -> StatusChange:
    return StatusChange(status, at, "decision of the issuing authority")


def codes(result: Qualification) -> list[tuple[str | None, ReasonCode]]:
    return [(r.certificate, r.code) for r in result.reasons]


def check(certificate: CertificateFacts, at: datetime, policy: QualificationPolicy = POLICY) -> Qualification:
    return qualified(officer(certificate), EVACUATION_ROUTES, at, policy)


# --- the plain cases ---


def test_an_active_certificate_in_scope_qualifies_and_is_named() -> None:
    result = check(CERTIFICATE, cst(2025, 6, 1, 10))
    assert result.ok
    assert result.certificate == "50015500001"
    assert result.reasons == ()


def test_an_officer_without_a_certificate_is_not_qualified_art_42() -> None:
    result = qualified(officer(), EVACUATION_ROUTES, cst(2025, 6, 1), POLICY)
    assert not result.ok
    assert result.certificate is None
    [reason] = result.reasons
    assert reason.code is ReasonCode.NO_CERTIFICATE
    assert reason.certificate is None
    assert reason.citation == "行政处罚法 第四十二条"
    assert "no enforcement certificate" in reason.text_en
    assert "未持有行政执法证件" in reason.text_zh


# --- validity window, in Asia/Shanghai dates ---


def test_the_expiry_day_is_valid_to_its_last_microsecond_in_shanghai() -> None:
    assert check(CERTIFICATE, cst(2026, 12, 31, 23, 59, 59, 999999)).ok
    assert check(CERTIFICATE, datetime(2026, 12, 31, 15, 59, 59, 999999, tzinfo=UTC)).ok


def test_the_certificate_has_expired_at_midnight_shanghai_which_is_16_00_utc() -> None:
    for moment in (cst(2027, 1, 1), datetime(2026, 12, 31, 16, 0, tzinfo=UTC)):
        result = check(CERTIFICATE, moment)
        assert not result.ok
        assert codes(result) == [("50015500001", ReasonCode.EXPIRED)]
        assert "2026-12-31" in result.reasons[0].text_en


def test_the_issue_day_is_valid_from_midnight_shanghai() -> None:
    assert check(CERTIFICATE, cst(2024, 1, 1, 0, 0)).ok
    assert check(CERTIFICATE, datetime(2023, 12, 31, 16, 0, tzinfo=UTC)).ok


def test_the_day_before_issue_is_not_yet_valid() -> None:
    result = check(CERTIFICATE, cst(2023, 12, 31, 23, 59, 59, 999999))
    assert codes(result) == [("50015500001", ReasonCode.NOT_YET_VALID)]
    assert result.reasons[0].citation == "行政处罚法 第四十二条"


# --- status history ---

SUSPENDED_AT = cst(2025, 3, 10, 9, 30)


def test_a_suspension_takes_effect_at_its_exact_moment_art_31() -> None:
    suspended = replace(CERTIFICATE, status_history=(change(CertificateStatus.SUSPENDED, SUSPENDED_AT),))
    assert check(suspended, SUSPENDED_AT - timedelta(microseconds=1)).ok
    result = check(suspended, SUSPENDED_AT)
    assert codes(result) == [("50015500001", ReasonCode.SUSPENDED)]
    assert result.reasons[0].citation == "行政处罚法 第四十二条; （参照）交通运输行政执法证件管理规定 第三十一条"
    # Beijing time to the minute, as the officer reads it; the instant itself is the certificate's history.
    assert "since 2025-03-10 09:30 Beijing time." in result.reasons[0].text_en
    assert "自2025年3月10日9时30分起被暂扣" in result.reasons[0].text_zh


def test_a_reinstated_certificate_qualifies_again_from_the_reinstatement_art_32() -> None:
    reinstated_at = cst(2025, 4, 1, 8)
    history = (
        change(CertificateStatus.SUSPENDED, SUSPENDED_AT),
        change(CertificateStatus.ACTIVE, reinstated_at),
    )
    certificate = replace(CERTIFICATE, status_history=history)
    assert not check(certificate, reinstated_at - timedelta(microseconds=1)).ok
    assert check(certificate, reinstated_at).ok


@pytest.mark.parametrize(
    ("status", "code", "article"),
    [
        (CertificateStatus.REVOKED, ReasonCode.REVOKED, "第三十三条"),
        (CertificateStatus.CANCELLED, ReasonCode.CANCELLED, "第二十五条"),
        (CertificateStatus.SUSPENDED, ReasonCode.SUSPENDED, "第三十一条"),
    ],
)
def test_a_revoked_cancelled_or_suspended_certificate_does_not_qualify(
    status: CertificateStatus, code: ReasonCode, article: str
) -> None:
    certificate = replace(CERTIFICATE, status_history=(change(status, SUSPENDED_AT),))
    result = check(certificate, cst(2025, 6, 1))
    assert codes(result) == [("50015500001", code)]
    assert result.reasons[0].citation.endswith(article)


def test_an_expiry_recorded_before_the_expiry_date_ends_validity() -> None:
    certificate = replace(CERTIFICATE, status_history=(change(CertificateStatus.EXPIRED, SUSPENDED_AT),))
    result = check(certificate, cst(2025, 6, 1))
    assert codes(result) == [("50015500001", ReasonCode.EXPIRED)]
    assert "recorded as expired" in result.reasons[0].text_en


def test_an_expiry_both_recorded_and_past_is_reported_once() -> None:
    certificate = replace(CERTIFICATE, status_history=(change(CertificateStatus.EXPIRED, cst(2027, 1, 1)),))
    assert codes(check(certificate, cst(2027, 2, 1))) == [("50015500001", ReasonCode.EXPIRED)]


def test_the_status_in_force_is_the_latest_effective_even_if_appended_out_of_order() -> None:
    history = (
        change(CertificateStatus.SUSPENDED, SUSPENDED_AT),
        change(CertificateStatus.ACTIVE, SUSPENDED_AT - timedelta(days=30)),
    )
    assert codes(check(replace(CERTIFICATE, status_history=history), cst(2025, 6, 1))) == [
        ("50015500001", ReasonCode.SUSPENDED)
    ]


def test_of_two_changes_effective_at_the_same_moment_the_later_appended_wins() -> None:
    history = (
        change(CertificateStatus.SUSPENDED, SUSPENDED_AT),
        change(CertificateStatus.ACTIVE, SUSPENDED_AT),
    )
    assert check(replace(CERTIFICATE, status_history=history), cst(2025, 6, 1)).ok


def test_a_status_change_effective_in_the_future_does_not_apply_yet() -> None:
    later = replace(CERTIFICATE, status_history=(change(CertificateStatus.REVOKED, cst(2026, 1, 1)),))
    assert check(later, cst(2025, 12, 31, 23, 59)).ok


# --- annual review (art. 30: 未经年度审验的证件自行失效) ---

# Issued 2024-01-01, no review: in force through 2024-01-01 + 365 + 30 days = 2025-01-30.
UNREVIEWED = replace(CERTIFICATE, reviews=())


def test_an_unreviewed_certificate_is_in_force_through_365_plus_grace_days_after_issue() -> None:
    assert check(UNREVIEWED, cst(2025, 1, 30, 23, 59)).ok


def test_an_unreviewed_certificate_lapses_one_day_later() -> None:
    result = check(UNREVIEWED, cst(2025, 1, 31, 0, 0))
    assert codes(result) == [("50015500001", ReasonCode.REVIEW_OVERDUE)]
    assert "2025-01-30" in result.reasons[0].text_en
    assert result.reasons[0].citation.endswith("第三十条")


def test_a_passed_review_restarts_the_year_from_the_review_date() -> None:
    reviewed = replace(CERTIFICATE, reviews=(date(2025, 1, 20),))
    assert check(reviewed, cst(2026, 2, 19, 12)).ok  # 2025-01-20 + 395 days = 2026-02-19
    assert codes(check(reviewed, cst(2026, 2, 20))) == [("50015500001", ReasonCode.REVIEW_OVERDUE)]


def test_a_review_passed_later_does_not_cover_an_earlier_moment() -> None:
    late = replace(CERTIFICATE, reviews=(date(2025, 2, 10),))
    assert codes(check(late, cst(2025, 2, 5))) == [("50015500001", ReasonCode.REVIEW_OVERDUE)]
    assert check(late, cst(2025, 2, 10)).ok


def test_no_review_is_needed_when_the_policy_does_not_require_it() -> None:
    assert check(UNREVIEWED, cst(2026, 6, 1), NO_REVIEW).ok


# --- scope and territory (art. 22 by analogy) ---


def test_scope_covers_an_item_listed_by_code() -> None:
    by_item = replace(CERTIFICATE, scope_items=frozenset({"gf-111-1-1"}), scope_categories=frozenset())
    assert qualified(officer(by_item), WASTE, cst(2025, 6, 1), POLICY).ok


def test_scope_covers_every_item_of_a_listed_category() -> None:
    assert qualified(officer(CERTIFICATE), EVACUATION_ROUTES, cst(2025, 6, 1), POLICY).ok


def test_an_item_outside_both_the_items_and_the_categories_is_out_of_scope() -> None:
    result = qualified(officer(CERTIFICATE), WASTE, cst(2025, 6, 1), POLICY)
    assert codes(result) == [("50015500001", ReasonCode.OUT_OF_SCOPE)]
    assert "gf-111-1-1" in result.reasons[0].text_en


def test_a_certificate_for_another_territory_does_not_qualify_here() -> None:
    district = replace(CERTIFICATE, territory="500155")
    at = cst(2025, 6, 1)
    assert qualified(officer(district), EVACUATION_ROUTES, at, POLICY, territory="500155").ok
    result = qualified(officer(district), EVACUATION_ROUTES, at, POLICY, territory="500231")
    assert codes(result) == [("50015500001", ReasonCode.OUT_OF_TERRITORY)]


def test_a_certificate_without_a_territory_states_no_territorial_limit() -> None:
    assert qualified(officer(CERTIFICATE), EVACUATION_ROUTES, cst(2025, 6, 1), POLICY, territory="500231").ok


# --- several certificates ---

EXPIRED_EARLIER = replace(CERTIFICATE, number="50015500000", expires_on=date(2024, 12, 31))
REVOKED_OTHER_SCOPE = replace(
    CERTIFICATE,
    number="50015500002",
    scope_categories=frozenset({"solid-waste"}),
    status_history=(change(CertificateStatus.REVOKED, SUSPENDED_AT),),
)


def test_one_valid_certificate_suffices() -> None:
    result = qualified(officer(EXPIRED_EARLIER, CERTIFICATE), EVACUATION_ROUTES, cst(2025, 6, 1), POLICY)
    assert result.ok
    assert result.certificate == "50015500001"
    assert result.reasons == ()


def test_when_none_qualifies_every_reason_of_every_certificate_is_reported() -> None:
    holder = officer(REVOKED_OTHER_SCOPE, EXPIRED_EARLIER, replace(CERTIFICATE, territory="500231"))
    result = qualified(holder, EVACUATION_ROUTES, cst(2025, 6, 1), POLICY, territory="500155")
    assert not result.ok
    assert result.certificate is None
    assert codes(result) == [
        ("50015500000", ReasonCode.EXPIRED),
        ("50015500001", ReasonCode.OUT_OF_TERRITORY),
        ("50015500002", ReasonCode.REVOKED),
        ("50015500002", ReasonCode.OUT_OF_SCOPE),
    ]


def test_of_several_valid_certificates_the_lowest_number_is_relied_on() -> None:
    second = replace(CERTIFICATE, number="50015500009")
    result = qualified(officer(second, CERTIFICATE), EVACUATION_ROUTES, cst(2025, 6, 1), POLICY)
    assert result.certificate == "50015500001"


# --- recusal (art. 43) ---


def test_a_recused_officer_cannot_act_on_that_case_even_with_a_valid_certificate() -> None:
    holder = officer(CERTIFICATE, recused=frozenset({"case-42"}))
    result = qualified(holder, EVACUATION_ROUTES, cst(2025, 6, 1), POLICY, case_id="case-42")
    assert not result.ok
    assert result.certificate is None
    assert codes(result) == [(None, ReasonCode.RECUSED)]
    assert result.reasons[0].citation == "行政处罚法 第四十三条"


def test_a_recusal_concerns_only_its_own_case() -> None:
    holder = officer(CERTIFICATE, recused=frozenset({"case-42"}))
    assert qualified(holder, EVACUATION_ROUTES, cst(2025, 6, 1), POLICY, case_id="case-43").ok


def test_a_recused_officer_without_certificates_gets_both_reasons() -> None:
    holder = officer(recused=frozenset({"case-42"}))
    result = qualified(holder, EVACUATION_ROUTES, cst(2025, 6, 1), POLICY, case_id="case-42")
    assert codes(result) == [(None, ReasonCode.RECUSED), (None, ReasonCode.NO_CERTIFICATE)]


# --- refused inputs ---


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check(CERTIFICATE, datetime(2025, 6, 1, 10))  # noqa: DTZ001 -- the case under test


def test_a_naive_status_change_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        StatusChange(CertificateStatus.SUSPENDED, datetime(2025, 6, 1), "x")  # noqa: DTZ001


def test_inconsistent_certificate_facts_are_refused() -> None:
    with pytest.raises(ValueError, match="expires before it is issued"):
        replace(CERTIFICATE, expires_on=date(2023, 12, 31))
    with pytest.raises(ValueError, match="review before its issue date"):
        replace(CERTIFICATE, reviews=(date(2023, 12, 1),))
    with pytest.raises(ValueError, match="twice"):
        officer(CERTIFICATE, CERTIFICATE)
    with pytest.raises(ValueError, match="negative"):
        QualificationPolicy(annual_review_grace_days=-1, review_required=True)


# --- the ledger record ---


def test_the_record_is_a_deterministic_json_ready_dict() -> None:
    result = qualified(officer(EXPIRED_EARLIER), EVACUATION_ROUTES, cst(2025, 6, 1, 8), POLICY, territory="500155")
    assert result.to_record() == {
        "at": "2025-06-01T00:00:00+00:00",
        "item": "xf-60-1-3",
        "local_date": "2025-06-01",
        "officer": "officer-7",
        "ok": False,
        "policy": {"annual_review_grace_days": 30, "review_required": True},
        "reasons": [
            {
                "certificate": "50015500000",
                "citation": "行政处罚法 第四十二条",
                "code": "expired",
                "text_en": ("Certificate 50015500000 was valid through 2024-12-31; on 2025-06-01 it has expired."),
                "text_zh": "执法证50015500000有效期至2024-12-31，2025-06-01已过期。",
            }
        ],
        "territory": "500155",
    }


def test_a_positive_record_names_the_certificate_and_leaves_out_the_officers_name() -> None:
    record = check(CERTIFICATE, cst(2025, 6, 1)).to_record()
    assert record["ok"] is True
    assert record["certificate"] == "50015500001"
    assert record["reasons"] == []
    assert "张三" not in json.dumps(record, ensure_ascii=False)


# --- properties ---

NUMBERS = ("C1", "C2", "C3")
BASE = cst(2025, 1, 1)
ZONES = st.sampled_from([UTC, CST, timezone(timedelta(hours=-8)), timezone(timedelta(hours=14))])


@st.composite
def certificates(draw: st.DrawFn, number: str) -> CertificateFacts:
    issued_on = draw(st.dates(date(2023, 1, 1), date(2026, 12, 31)))
    history = draw(
        st.lists(
            st.builds(
                StatusChange,
                st.sampled_from(CertificateStatus),
                st.integers(-800, 800).map(lambda days: BASE + timedelta(days=days)),
                st.just("r"),
            ),
            max_size=3,
        )
    )
    return CertificateFacts(
        number=number,
        issued_on=issued_on,
        expires_on=issued_on + timedelta(days=draw(st.integers(0, 1500))),
        scope_items=draw(st.frozensets(st.sampled_from(["xf-60-1-3", "gf-111-1-1"]))),
        scope_categories=draw(st.frozensets(st.sampled_from(["fire-safety", "solid-waste"]))),
        territory=draw(st.sampled_from([None, "500155", "500231"])),
        status_history=tuple(history),
        reviews=tuple(issued_on + timedelta(days=d) for d in draw(st.lists(st.integers(0, 1500), max_size=3))),
    )


@st.composite
def officers(draw: st.DrawFn) -> OfficerFacts:
    numbers = draw(st.lists(st.sampled_from(NUMBERS), unique=True, max_size=3))
    return officer(*(draw(certificates(n)) for n in numbers))


MOMENTS = st.datetimes(datetime(2022, 6, 1), datetime(2031, 1, 1), timezones=ZONES)  # noqa: DTZ001
POLICIES = st.builds(QualificationPolicy, st.integers(0, 90), st.booleans())
ITEMS = st.sampled_from([EVACUATION_ROUTES, WASTE])
TERRITORIES = st.sampled_from([None, "500155", "500231"])


def _status_in_force(certificate: CertificateFacts, at: datetime) -> CertificateStatus:
    in_force = sorted((c for c in certificate.status_history if c.effective_at <= at), key=lambda c: c.effective_at)
    return in_force[-1].status if in_force else CertificateStatus.ACTIVE


@given(officers(), ITEMS, MOMENTS, POLICIES, TERRITORIES)
def test_qualified_means_an_active_certificate_valid_on_the_local_date_covering_the_item(
    holder: OfficerFacts,
    item: ItemFacts,
    at: datetime,
    policy: QualificationPolicy,
    territory: str | None,
) -> None:
    result = qualified(holder, item, at, policy, territory)
    assert result.ok == (result.reasons == ())
    if not result.ok:
        assert result.certificate is None
        considered: set[str | None] = {c.number for c in holder.certificates} or {None}
        assert {r.certificate for r in result.reasons} == considered
        return
    [used] = [c for c in holder.certificates if c.number == result.certificate]
    today = local_date(at)
    assert _status_in_force(used, at) is CertificateStatus.ACTIVE
    assert used.issued_on <= today <= used.expires_on
    assert item.code in used.scope_items or item.category in used.scope_categories
    assert territory is None or used.territory in (None, territory)
    if policy.review_required:
        anchor = max([r for r in used.reviews if r <= today], default=used.issued_on)
        assert today <= anchor + timedelta(days=365 + policy.annual_review_grace_days)


@given(officers(), ITEMS, MOMENTS, POLICIES, TERRITORIES, st.randoms())
def test_the_result_does_not_depend_on_certificate_order_or_the_moments_time_zone(
    holder: OfficerFacts,
    item: ItemFacts,
    at: datetime,
    policy: QualificationPolicy,
    territory: str | None,
    rnd: Random,
) -> None:
    shuffled = list(holder.certificates)
    rnd.shuffle(shuffled)
    other = replace(holder, certificates=tuple(shuffled))
    expected = qualified(holder, item, at, policy, territory).to_record()
    assert qualified(other, item, at.astimezone(UTC), policy, territory).to_record() == expected


def _json_leaves_are_plain(value: object) -> bool:
    if isinstance(value, dict):
        return list(value) == sorted(value) and all(
            isinstance(k, str) and _json_leaves_are_plain(v) for k, v in value.items()
        )
    if isinstance(value, list):
        return all(_json_leaves_are_plain(v) for v in value)
    return isinstance(value, str | int | bool)


@given(officers(), ITEMS, MOMENTS, POLICIES, TERRITORIES)
def test_the_record_holds_only_sorted_keys_and_plain_values_and_survives_json(
    holder: OfficerFacts,
    item: ItemFacts,
    at: datetime,
    policy: QualificationPolicy,
    territory: str | None,
) -> None:
    record = qualified(holder, item, at, policy, territory).to_record()
    assert _json_leaves_are_plain(record)
    assert json.loads(json.dumps(record, ensure_ascii=False)) == record
