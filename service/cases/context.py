"""The policies the case services need, loaded once per running service."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from service.cases.policy import CasePolicy
from service.cases.review_requirement import ReviewCatalogue
from service.cases.workflow import CaseState, Procedure, StateInfo, Workflow
from service.officers.policy import OfficerPolicy
from service.policy.calendar import WorkdayCalendar
from service.policy.designated_areas import DesignatedAreas


@dataclass(frozen=True)
class CaseContext:
    """The policies a case service call needs."""

    workflows: Mapping[Procedure, Workflow]
    calendar: WorkdayCalendar
    case_policy: CasePolicy
    officer_policy: OfficerPolicy
    review_catalogue: ReviewCatalogue
    blind_index_key: bytes
    designated_areas: DesignatedAreas  # where urban_only items apply (重庆市市容环境卫生管理条例 第二条)

    def state_of(self, procedure: str, state: str) -> StateInfo:
        """A case's state as its procedure names it (zh, en) and classes it: ``case.procedure``, ``case.state``."""
        return self.workflows[Procedure(procedure)].state_info(CaseState(state))
