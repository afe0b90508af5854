"""The rules of the case-file review (案卷评查), after 广东省行政执法案卷评查办法 (2016). Pure: no I/O.

A file starts at 100 points and loses a document's points (policy: ``policies/file-review.yaml``) when the case
required it and it is missing. Four grades (第十六条). Some defects fail a file whatever its score (第十七条): they
are computed here from what the case file records, never typed in. Reviewers score each file independently and
sign (第十条); a failed file may be reviewed again (复评, 第十二条第五项).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from service.legal import LegalBasis
from service.policy.calendar import local_date
from service.policy.strict_yaml import load_strict

GUANGDONG_FILE_REVIEW = "广东省行政执法案卷评查办法"


class Grade(StrEnum):
    """The four grades of 第十六条."""

    EXCELLENT = "excellent"  # 优秀: 90 and above
    GOOD = "good"  # 良好: 75 to below 90
    PASS = "pass"  # 合格: 60 to below 75
    FAIL = "fail"  # 不合格: below 60, or an automatic fail (第十七条)


GRADE_ZH = {Grade.EXCELLENT: "优秀", Grade.GOOD: "良好", Grade.PASS: "合格", Grade.FAIL: "不合格"}


def grade_of(score: float, automatic_fails: int = 0) -> Grade:
    """第十六条; 第十七条 fails a file whatever its score."""
    if automatic_fails or score < 60:
        return Grade.FAIL
    if score < 75:
        return Grade.PASS
    if score < 90:
        return Grade.GOOD
    return Grade.EXCELLENT


# --- the policy ----------------------------------------------------------------------------------------------

When = Literal["always", "general", "preservation", "penalty", "hearing", "review", "discussion", "decision", "fine"]
EntryType = Annotated[str, StringConstraints(pattern=r"^case:[a-z_]+:[a-z_]+$")]


class FileReviewPolicyError(ValueError):
    pass


class DocumentWeight(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    name: Annotated[str, StringConstraints(pattern=r"\S", max_length=100)]
    entries: list[EntryType] = Field(min_length=1)
    points: Annotated[int, Field(ge=1, le=100)]
    when: When


class FileReviewPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    version: Literal[1]
    reviewers_per_file: Annotated[int, Field(ge=1, le=9)]
    documents: list[DocumentWeight] = Field(min_length=1)


def load_file_review_policy(path: Path) -> FileReviewPolicy:
    try:
        policy = FileReviewPolicy.model_validate(load_strict(path.read_bytes()))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise FileReviewPolicyError(f"{path.name}: invalid file-review policy: {exc}") from exc
    names = [d.name for d in policy.documents]
    if len(set(names)) != len(names):
        raise FileReviewPolicyError(f"{path.name}: a document is listed twice")
    return policy


def document_score(
    policy: FileReviewPolicy, applies: dict[str, bool], recorded: frozenset[str]
) -> tuple[int, list[str]]:
    """100 less the points of each required document the file lacks, and the names of those documents."""
    score, missing = 100, []
    for document in policy.documents:
        if applies[document.when] and not recorded & set(document.entries):
            missing.append(document.name)
            score -= document.points
    return max(score, 0), missing


# --- automatic fails (第十七条) -----------------------------------------------------------------------------


class FailGround(StrEnum):
    """The grounds of 第十七条 on which a file fails whatever its score."""

    FACTS_OR_EVIDENCE = "facts_or_evidence"  # （一）主要事实不清、证据不足
    WRONG_BASIS = "wrong_basis"  # （二）适用法律依据错误
    PROCEDURE = "procedure"  # （三）违反法定程序
    POWER = "power"  # （四）超越或者滥用职权
    BODY_OR_OFFICERS = "body_or_officers"  # （五）执法主体不合法、行政执法人员不具备执法资格


_ITEM = {
    FailGround.FACTS_OR_EVIDENCE: 1,
    FailGround.WRONG_BASIS: 2,
    FailGround.PROCEDURE: 3,
    FailGround.POWER: 4,
    FailGround.BODY_OR_OFFICERS: 5,
}


@dataclass(frozen=True)
class AutomaticFail:
    ground: FailGround
    text_zh: str

    @property
    def basis(self) -> LegalBasis:
        return LegalBasis(GUANGDONG_FILE_REVIEW, 17)

    def __str__(self) -> str:
        return f"{self.text_zh}（第十七条第{_ITEM[self.ground]}项）"


@dataclass(frozen=True)
class FileFacts:
    """What the file review reads of a case, from its entries and its case file."""

    general: bool
    penalty_decided: bool
    decided_at: datetime | None
    # Inquiry records, inspection records and evidence collected before the decision (第四十六条、第五十五条).
    evidence_before_decision: int
    notice_served_before_decision: bool
    hearing_scheduled_for: date | None
    hearing_held_on: date | None
    decision_deadline: date | None  # 第六十条, with the approved extensions
    served_late: bool  # 第六十一条
    failed_checks: tuple[str, ...]  # entry types recorded with a failed guard check
    unqualified_acts: tuple[str, ...]  # entry types whose acting officers were not qualified
    review_required_not_passed: bool  # 第五十八条
    decided_despite_review_problems: bool
    # The entries the decision cites as its evidence (行政处罚法 第四十条), and those of them that are not evidence
    # recorded in the case before the decision.
    cited_evidence: tuple[int, ...] = ()
    cited_not_recorded: tuple[int, ...] = ()


def automatic_fails(facts: FileFacts) -> list[AutomaticFail]:
    fails: list[AutomaticFail] = []
    if facts.penalty_decided and facts.general and facts.evidence_before_decision == 0:
        fails.append(
            AutomaticFail(
                FailGround.FACTS_OR_EVIDENCE,
                "证据不足：处罚决定前未记录任何询问笔录、现场检查笔录或证据材料",
            )
        )
    if facts.penalty_decided and facts.general and not facts.cited_evidence:
        fails.append(
            AutomaticFail(FailGround.FACTS_OR_EVIDENCE, "证据不足：处罚决定未载明所依据的证据（行政处罚法第四十条）")
        )
    if facts.penalty_decided and facts.general and facts.cited_not_recorded:
        numbers = "、".join(f"第{n}号" for n in facts.cited_not_recorded)
        fails.append(
            AutomaticFail(
                FailGround.FACTS_OR_EVIDENCE,
                f"证据不足：处罚决定所依据的{numbers}记录不是本案决定前记录的证据（行政处罚法第四十条）",
            )
        )
    if facts.penalty_decided and facts.general and not facts.notice_served_before_decision:
        fails.append(AutomaticFail(FailGround.PROCEDURE, "程序违法：未经事先告知作出处罚决定"))
    if (
        facts.hearing_held_on is not None
        and facts.hearing_scheduled_for is not None
        and facts.hearing_held_on < facts.hearing_scheduled_for
    ):
        fails.append(
            AutomaticFail(
                FailGround.PROCEDURE,
                f"程序违法：听证于{facts.hearing_held_on.isoformat()}举行，早于通知的"
                f"{facts.hearing_scheduled_for.isoformat()}",
            )
        )
    if facts.decided_at is not None and facts.decision_deadline is not None:
        decided_on = local_date(facts.decided_at)
        if decided_on > facts.decision_deadline:
            fails.append(
                AutomaticFail(
                    FailGround.PROCEDURE,
                    f"超过办案期限：{decided_on.isoformat()}作出决定，期限于{facts.decision_deadline.isoformat()}届满",
                )
            )
    if facts.served_late:
        fails.append(AutomaticFail(FailGround.PROCEDURE, "超过送达期限：决定书未在七日内送达"))
    fails += [AutomaticFail(FailGround.PROCEDURE, f"程序违法（{t}）") for t in sorted(set(facts.failed_checks))]
    fails += [
        AutomaticFail(FailGround.BODY_OR_OFFICERS, f"执法人员不具备执法资格（{t}）")
        for t in sorted(set(facts.unqualified_acts))
    ]
    if facts.review_required_not_passed:
        fails.append(AutomaticFail(FailGround.PROCEDURE, "应当法制审核而未审核或审核未通过"))
    if facts.decided_despite_review_problems:
        fails.append(AutomaticFail(FailGround.PROCEDURE, "法制审核提出的问题未整改即作出决定"))
    return fails


# --- reviewers (第十条、第十二条) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewerScore:
    reviewer: str  # user:<id>
    round: int  # 1 评查, 2 复评
    score: int


@dataclass(frozen=True)
class Assessment:
    """The file's result: the reviewers' mean once enough have scored the latest round, else the computed score
    (provisional); failed whatever the score on an automatic fail."""

    computed_score: int
    automatic_fails: tuple[AutomaticFail, ...]
    round: int
    reviewers: tuple[ReviewerScore, ...]
    final: bool
    score: float
    grade: Grade


def assess(
    policy: FileReviewPolicy, computed_score: int, fails: list[AutomaticFail], scores: list[ReviewerScore]
) -> Assessment:
    latest = max((s.round for s in scores), default=1)
    this_round = tuple(s for s in scores if s.round == latest)
    final = len(this_round) >= policy.reviewers_per_file
    score = sum(s.score for s in this_round) / len(this_round) if final else float(computed_score)
    return Assessment(
        computed_score, tuple(fails), latest, this_round, final, round(score, 1), grade_of(score, len(fails))
    )
