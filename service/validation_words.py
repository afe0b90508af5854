"""What a refused input says in Chinese: pydantic's error kinds, worded for the officer who typed the value.

Every refusal carries both languages (``detail`` and ``detail_zh``); pydantic words its messages in English only,
so a Chinese page said "Input should be a valid integer" under a Chinese heading. The kinds here are those the
service's models produce (strict types, lengths, bounds, choices, dates, ids, unknown fields); any other keeps
pydantic's own message. Pure: no web framework, no database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


def _length(ctx: Mapping[str, Any], key: str, at_least: bool, unit: str) -> str:
    n = ctx.get(key)
    if at_least:
        return "不能为空" if n in (None, 1) else f"至少{n}{unit}"
    return f"过长：最多{n}{unit}"


_FIXED = {
    "missing": "必须填写",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为“是”或“否”",
    "bool_parsing": "应为“是”或“否”",
    "string_type": "应为文字",
    "list_type": "应为多项（列表）",
    "dict_type": "应为一组字段",
    "model_type": "应为一组字段",
    "model_attributes_type": "应为一组字段",
    "extra_forbidden": "不接受该字段",
    "date_type": "日期格式有误，应为“年-月-日”，如 2026-12-05",
    "date_parsing": "日期格式有误，应为“年-月-日”，如 2026-12-05",
    "date_from_datetime_parsing": "日期格式有误，应为“年-月-日”，如 2026-12-05",
    "date_from_datetime_inexact": "应为日期，不含时间",
    "datetime_type": "时间格式有误",
    "datetime_parsing": "时间格式有误",
    "datetime_from_date_parsing": "时间格式有误",
    "timezone_aware": "时间须注明时区",
    "uuid_type": "应为有效的编号",
    "uuid_parsing": "应为有效的编号",
    "json_invalid": "JSON 格式有误",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
}


# The service's own input rules (service/inputs.py), as their validators word them in English.
_OWN_RULES = (
    (re.compile(r"control character (U\+[0-9A-F]{4,6}) is not allowed"), "不允许输入控制字符 {0}"),
    (re.compile(r"a date is written YYYY-MM-DD"), "日期格式为“年-月-日”，如 2026-12-05"),
    (re.compile(r"date must be between (\S+) and (\S+)"), "日期须在 {0} 至 {1} 之间"),
    (re.compile(r"moment must be between (\S+) and (\S+)"), "时间须在 {0} 至 {1} 之间"),
    (re.compile(r"a moment is written in ISO 8601"), "时间按 ISO 8601 书写，如 2026-06-01T09:00:00+08:00"),
)


def message_zh(error: Mapping[str, Any]) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) in Chinese."""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind in _FIXED:
        return _FIXED[kind]
    # A text's length in characters; a list's (pydantic's "too_short"/"too_long") in items — or in characters where
    # a text is checked as a sequence (service.inputs.Line), which pydantic also calls "too_long".
    unit = "项" if kind in ("too_short", "too_long") and not isinstance(error.get("input"), str) else "个字符"
    if kind in ("string_too_short", "too_short"):
        return _length(ctx, "min_length", at_least=True, unit=unit)
    if kind in ("string_too_long", "too_long"):
        return _length(ctx, "max_length", at_least=False, unit=unit)
    if kind == "greater_than_equal":
        return f"不能小于{ctx.get('ge')}"
    if kind == "greater_than":
        return f"应大于{ctx.get('gt')}"
    if kind == "less_than_equal":
        return f"不能大于{ctx.get('le')}"
    if kind == "less_than":
        return f"应小于{ctx.get('lt')}"
    if kind in ("literal_error", "enum"):
        return f"应为下列之一：{ctx.get('expected', '')}"
    if kind == "value_error" and "error" in ctx:
        said = str(ctx["error"])  # the model's own rule, as its validator words it
        for pattern, chinese in _OWN_RULES:
            found = pattern.match(said)
            if found:
                return chinese.format(*found.groups())
        return said
    return str(error.get("msg", ""))


def problems_zh(errors: list[Any], prefix: str = "") -> list[str]:
    """Each error as ``where：what`` in Chinese; ``prefix``: the path the errors' locations are under (``data.``)."""
    return [f"{prefix}{'.'.join(str(p) for p in e.get('loc', ()))}：{message_zh(e)}" for e in errors]
