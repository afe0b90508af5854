"""A step's effect on the case file is worked out once: when the step is judged. Its projector takes that file when
it records the same step on the same file with an equal act — and works the effect out itself otherwise — so live
state is what replaying the entries gives."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from service.cases import casefile
from service.cases.steps import STEPS
from service.runtime import Runtime

from .driver import Cases
from .test_deadline_row import assert_replay_agrees

INQUIRY = {"place": "当事人家中", "summary": "当事人承认倾倒垃圾", "subject": "当事人"}


@pytest.fixture
def effects_worked_out(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    worked: list[str] = []
    apply = casefile.apply

    def counted(file: casefile.CaseFile, effect: casefile.Effect, act: casefile.Act, **kwargs: Any) -> Any:
        worked.append(act.to_state)
        return apply(file, effect, act, **kwargs)

    monkeypatch.setattr(casefile, "apply", counted)
    return worked


def test_a_step_works_its_effect_out_once_and_live_state_is_what_replay_gives(
    cases: Cases, effects_worked_out: list[str], runtime: Runtime
) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    effects_worked_out.clear()
    answer = cases.step(case, "record_inquiry", officers=cases.with_second(), data=INQUIRY)
    assert effects_worked_out == ["investigating"]
    assert sorted(answer["file"]["investigators"]) == sorted([cases.officer("officer1"), cases.officer("officer2")])
    assert_replay_agrees(runtime)


def _file() -> casefile.CaseFile:
    return casefile.new_case_file("general", "investigating", "CQ-TM-003", "v1", "individual")


def _act(summary: str, at: datetime = datetime(2026, 12, 2, 2, tzinfo=UTC)) -> casefile.Act:
    return casefile.Act("investigating", {**INQUIRY, "summary": summary}, ("o-1", "o-2"), at, "user:a")


def test_the_projector_takes_the_judged_file_only_for_that_file_and_an_equal_act() -> None:
    step = STEPS["record_inquiry"]
    file = _file()
    session = Session()
    judged = step.judged(session, file, _act("当事人承认"))
    assert step.recorded(session, file, _act("当事人承认")) is judged
    # Taken once: a second projection of the same act works it out again (an equal file, not the same object).
    again = step.recorded(session, file, _act("当事人承认"))
    assert again == judged
    assert again is not judged

    step.judged(session, file, _act("当事人承认"))
    other = step.recorded(session, file, _act("当事人否认"))
    assert other == step.act(file, _act("当事人否认"))

    step.judged(session, file, _act("当事人承认"))
    assert step.recorded(session, _file(), _act("当事人承认")) is not judged  # an equal file, another object

    STEPS["record_inspection"].judged(session, file, _act("当事人承认"))
    assert step.recorded(session, file, _act("当事人承认")) is not judged  # another step judged
