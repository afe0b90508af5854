"""The policies the case services need, loaded once per running service."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from service.cases.policy import CasePolicy
from service.cases.review_requirement import ReviewCatalogue
from service.cases.workflow import Procedure, Workflow
from service.officers.policy import OfficerPolicy
from service.policy.calendar import WorkdayCalendar


@dataclass(frozen=True)
class CaseContext:
    """The policies a case service call needs."""

    workflows: Mapping[Procedure, Workflow]
    calendar: WorkdayCalendar
    case_policy: CasePolicy
    officer_policy: OfficerPolicy
    review_catalogue: ReviewCatalogue
    blind_index_key: bytes
