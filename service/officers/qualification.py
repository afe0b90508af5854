"""Whether an officer may act on an enforcement item at a moment (执法资格).

行政处罚法 第四十二条: penalties are imposed by officers holding enforcement qualification (行政执法资格),
at least two of them. The certificate rules below follow 交通运输行政执法证件管理规定 (2011) by analogy,
the certificate regulation in the project's reference texts:

- the certificate is valid from its issue date through its expiry date, both inclusive, as dates in
  Asia/Shanghai: a certificate expiring on 2026-12-31 is valid until 2026-12-31T23:59:59.999999+08:00;
- its status at a moment is the last status change effective at or before that moment (active when none
  is yet): suspended (暂扣, 第三十一条) until reinstated (第三十二条), revoked (吊销, 第三十三条),
  cancelled on transfer or retirement (注销, 第二十五条), or recorded as expired;
- an unreviewed certificate lapses (第三十条: 未经年度审验的证件自行失效). When the policy requires review,
  a certificate is in force through day 365 + grace after its issue date or after its latest passed annual
  review on or before the local date of the moment, and lapsed from the next day;
- the officer acts only within the items or categories (执法门类) and the territory (辖区) on the
  certificate (第二十二条). A certificate without a territory states no territorial limit; a call without a
  territory does not check it;
- an officer recused from a case (回避, 行政处罚法 第四十三条) cannot act on it, whatever the certificates.

``qualified`` is pure: the database layer builds the facts, and the result is recorded in the ledger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from service.policy.calendar import SHANGHAI, local_date

PENALTY_LAW_ART_42 = "行政处罚法 第四十二条"
PENALTY_LAW_ART_43 = "行政处罚法 第四十三条"
_BY_ANALOGY = "（参照）交通运输行政执法证件管理规定"


class CertificateStatus(StrEnum):
    ACTIVE = "active"  # 有效
    SUSPENDED = "suspended"  # 暂扣
    REVOKED = "revoked"  # 吊销
    CANCELLED = "cancelled"  # 注销 (调离、退休)
    EXPIRED = "expired"  # 失效, as recorded; expiry also follows from expires_on


def certificate_status_on(recorded: str, issued_on: date, expires_on: date, today: date) -> str:
    """The status of a certificate on ``today`` (an Asia/Shanghai date), as published.

    The recorded status changes only by an entry (suspension, revocation, ...); expiry needs none: a certificate
    past its expiry date is expired that day whether or not anyone recorded it (第三十条 by analogy).
    """
    if recorded != CertificateStatus.ACTIVE:
        return recorded
    if today > expires_on:
        return CertificateStatus.EXPIRED.value
    if today < issued_on:
        return "not_yet_valid"
    return recorded


class ReasonCode(StrEnum):
    NO_CERTIFICATE = "no_certificate"
    RECUSED = "recused"
    REVOKED = "revoked"
    CANCELLED = "cancelled"
    SUSPENDED = "suspended"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVIEW_OVERDUE = "review_overdue"
    OUT_OF_SCOPE = "out_of_scope"
    OUT_OF_TERRITORY = "out_of_territory"


def _require_aware(at: datetime, what: str) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got the naive {at.isoformat()}")


@dataclass(frozen=True)
class StatusChange:
    status: CertificateStatus
    effective_at: datetime
    reason: str

    def __post_init__(self) -> None:
        _require_aware(self.effective_at, "a status change's effective_at")


@dataclass(frozen=True)
class CertificateFacts:
    number: str
    issued_on: date
    expires_on: date
    scope_items: frozenset[str]
    scope_categories: frozenset[str]
    territory: str | None
    status_history: tuple[StatusChange, ...]  # append-only
    reviews: tuple[date, ...]  # dates of passed annual reviews (年度审验)

    def __post_init__(self) -> None:
        if self.expires_on < self.issued_on:
            raise ValueError(f"certificate {self.number} expires before it is issued")
        early = [r for r in self.reviews if r < self.issued_on]
        if early:
            raise ValueError(f"certificate {self.number} has a review before its issue date: {early[0]}")

    def status_at(self, at: datetime) -> StatusChange | None:
        """The change in force at ``at``; the latest effective one wins, ties go to the later appended."""
        in_force = [c for c in self.status_history if c.effective_at <= at]
        return max(reversed(in_force), key=lambda c: c.effective_at, default=None)


@dataclass(frozen=True)
class OfficerFacts:
    officer_id: str
    name: str
    certificates: tuple[CertificateFacts, ...]
    recused_case_ids: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        numbers = [c.number for c in self.certificates]
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"officer {self.officer_id} lists a certificate number twice")


@dataclass(frozen=True)
class ItemFacts:
    code: str
    category: str


@dataclass(frozen=True)
class QualificationPolicy:
    annual_review_grace_days: int
    review_required: bool
    # The enforcement categories' names by slug (policies/officers.yaml), for the refusals; a slug not named is
    # shown as it is.
    category_names: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.annual_review_grace_days < 0:
            raise ValueError("annual_review_grace_days cannot be negative")


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    certificate: str | None
    text_en: str
    text_zh: str
    citation: str

    def to_record(self) -> dict[str, object]:
        record: dict[str, object] = {
            "citation": self.citation,
            "code": self.code.value,
            "text_en": self.text_en,
            "text_zh": self.text_zh,
        }
        if self.certificate is not None:
            record["certificate"] = self.certificate
        return dict(sorted(record.items()))


@dataclass(frozen=True)
class Qualification:
    officer_id: str
    item_code: str
    at: datetime
    policy: QualificationPolicy
    ok: bool
    certificate: str | None  # the number relied on, when ok
    reasons: tuple[Reason, ...]  # every reason why not; empty when ok
    territory: str | None = None
    case_id: str | None = None

    def to_record(self) -> dict[str, object]:
        """A JSON-ready ledger payload: sorted keys, only strings, integers, booleans, lists and dicts."""
        record: dict[str, object] = {
            "at": self.at.astimezone(UTC).isoformat(),
            "item": self.item_code,
            "local_date": local_date(self.at).isoformat(),
            "officer": self.officer_id,
            "ok": self.ok,
            "policy": {
                "annual_review_grace_days": self.policy.annual_review_grace_days,
                "review_required": self.policy.review_required,
            },
            "reasons": [r.to_record() for r in self.reasons],
        }
        optional = {"case": self.case_id, "certificate": self.certificate, "territory": self.territory}
        record.update({k: v for k, v in optional.items() if v is not None})
        return dict(sorted(record.items()))


def qualified(
    officer: OfficerFacts,
    item: ItemFacts,
    at: datetime,
    policy: QualificationPolicy,
    territory: str | None = None,
    *,
    case_id: str | None = None,
) -> Qualification:
    """Whether ``officer`` may act on ``item`` at ``at``; when not, every reason, per certificate.

    Certificates are considered in order of number, so the result does not depend on the order given;
    the lowest-numbered valid one is relied on. Recusal is checked against ``case_id`` when one is given.
    """
    _require_aware(at, "the moment of the act")
    reasons: list[Reason] = []
    if case_id is not None and case_id in officer.recused_case_ids:
        reasons.append(
            Reason(
                ReasonCode.RECUSED,
                None,
                f"Officer {officer.officer_id} is recused from case {case_id}.",
                f"执法人员{officer.officer_id}已在案件{case_id}中回避。",
                PENALTY_LAW_ART_43,
            )
        )
    certificates = sorted(officer.certificates, key=lambda c: c.number)
    failures = [_certificate_failures(c, item, at, policy, territory) for c in certificates]
    usable = next((c.number for c, failed in zip(certificates, failures, strict=True) if not failed), None)
    if usable is None:
        reasons.extend(r for failed in failures for r in failed)
    if not certificates:
        reasons.append(
            Reason(
                ReasonCode.NO_CERTIFICATE,
                None,
                f"Officer {officer.officer_id} holds no enforcement certificate.",
                f"执法人员{officer.officer_id}未持有行政执法证件。",
                PENALTY_LAW_ART_42,
            )
        )
    ok = not reasons
    return Qualification(
        officer_id=officer.officer_id,
        item_code=item.code,
        at=at,
        policy=policy,
        ok=ok,
        certificate=usable if ok else None,
        reasons=tuple(reasons),
        territory=territory,
        case_id=case_id,
    )


def _certificate_failures(
    cert: CertificateFacts, item: ItemFacts, at: datetime, policy: QualificationPolicy, territory: str | None
) -> list[Reason]:
    n = cert.number
    today = local_date(at)
    found: list[Reason] = []

    def fail(code: ReasonCode, en: str, zh: str, article: str | None = None) -> None:
        citation = PENALTY_LAW_ART_42 if article is None else f"{PENALTY_LAW_ART_42}; {_BY_ANALOGY} {article}"
        found.append(Reason(code, n, en, zh, citation))

    # The free-text reason of a status change stays out of the texts: it may hold disciplinary details,
    # and the qualification is recorded in the immutable ledger.
    change = cert.status_at(at)
    status = CertificateStatus.ACTIVE if change is None else change.status
    # When the status changed, as the officer and the party read it: Beijing time to the minute (the instant itself is
    # in the certificate's history).
    local = None if change is None else change.effective_at.astimezone(SHANGHAI)
    when_en = "" if local is None else f"{local:%Y-%m-%d %H:%M} Beijing time"
    when_zh = "" if local is None else f"{local.year}年{local.month}月{local.day}日{local.hour}时{local.minute:02d}分"
    if status is CertificateStatus.REVOKED:
        fail(
            ReasonCode.REVOKED,
            f"Certificate {n} is revoked since {when_en}.",
            f"执法证{n}自{when_zh}起被吊销。",
            "第三十三条",
        )
    elif status is CertificateStatus.CANCELLED:
        fail(
            ReasonCode.CANCELLED,
            f"Certificate {n} is cancelled (transfer or retirement) since {when_en}.",
            f"执法证{n}自{when_zh}起被注销（调离或退休）。",
            "第二十五条",
        )
    elif status is CertificateStatus.SUSPENDED:
        fail(
            ReasonCode.SUSPENDED,
            f"Certificate {n} is suspended since {when_en}.",
            f"执法证{n}自{when_zh}起被暂扣。",
            "第三十一条",
        )

    if today < cert.issued_on:
        fail(
            ReasonCode.NOT_YET_VALID,
            f"Certificate {n} is valid from {cert.issued_on}; on {today} it is not yet valid.",
            f"执法证{n}自{cert.issued_on}起有效，{today}尚未生效。",
        )
    if today > cert.expires_on:
        fail(
            ReasonCode.EXPIRED,
            f"Certificate {n} was valid through {cert.expires_on}; on {today} it has expired.",
            f"执法证{n}有效期至{cert.expires_on}，{today}已过期。",
        )
    elif status is CertificateStatus.EXPIRED:
        fail(
            ReasonCode.EXPIRED,
            f"Certificate {n} is recorded as expired since {when_en}.",
            f"执法证{n}自{when_zh}起登记为失效。",
        )

    if policy.review_required and today >= cert.issued_on:
        last_review = max((r for r in cert.reviews if r <= today), default=None)
        anchor = cert.issued_on if last_review is None else last_review
        in_force_through = anchor + timedelta(days=365 + policy.annual_review_grace_days)
        if today > in_force_through:
            since_en = "its issue" if last_review is None else "the review"
            fail(
                ReasonCode.REVIEW_OVERDUE,
                f"Certificate {n} has passed no annual review since {since_en} on {anchor}; "
                f"it lapsed after {in_force_through}.",
                f"执法证{n}自{anchor}起未通过年度审验，{in_force_through}后自行失效。",
                "第三十条",
            )

    if item.code not in cert.scope_items and item.category not in cert.scope_categories:
        # The category by its name where the policy names it, with the slug certificates are scoped by.
        named = policy.category_names.get(item.category)
        fail(
            ReasonCode.OUT_OF_SCOPE,
            f"Certificate {n} covers neither item {item.code} nor its category {item.category}"
            + (f" ({named})." if named else "."),
            f"执法证{n}的执法范围不含事项{item.code}及其类别"
            + (f"“{named}”（{item.category}）" if named else item.category)
            + "。",
            "第二十二条",
        )
    if territory is not None and cert.territory is not None and cert.territory != territory:
        fail(
            ReasonCode.OUT_OF_TERRITORY,
            f"Certificate {n} is limited to territory {cert.territory}, not {territory}.",
            f"执法证{n}的执法区域为{cert.territory}，不含{territory}。",
            "第二十二条",
        )
    return found
