"""State categories: what a state of a procedure means for deadlines, reviews, publicity and reports.

Each state declares its category in the workflow file (policies/workflows/README.md); the service asks a state's
category and never keeps its own list of state names.
"""

from __future__ import annotations

from enum import StrEnum


class StateCategory(StrEnum):
    """What a state means for deadlines, reviews, publicity and reports, declared per state in the workflow."""

    INTAKE = "intake"  # 案件来源已登记，尚未立案
    OPEN = "open"  # 已立案、尚未作出决定：作出决定的期限在计算（第六十条）
    DECIDED = "decided"  # 决定已作出且有效：送达、执行、公示
    CLOSED = "closed"  # 已结案、归档
    ENDED = "ended"  # 未作出有效决定而终结：不予立案、撤销立案、决定撤销、转普通程序
