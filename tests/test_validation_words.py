"""A refused input says what is wrong in the reader's language: the Chinese detail of a 422 names the problem in
Chinese (service/validation_words.py), not in pydantic's English under a Chinese heading."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from service.inputs import Line, SaneDate
from service.validation_words import message_zh, problems_zh
from tests.cases.driver import Auth, Cases


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: Annotated[StrictInt, Field(ge=1, le=10)]
    method: Literal["in_person", "post"]
    officer_id: uuid.UUID
    held_on: date
    text: Annotated[str, Field(min_length=1, max_length=5)]
    tags: Annotated[list[str], Field(max_length=2)] = []


GOOD = {"count": 1, "method": "post", "officer_id": str(uuid.uuid4()), "held_on": "2026-12-05", "text": "x"}


def errors_of(**changes: object) -> list[dict[str, object]]:
    with pytest.raises(ValidationError) as refused:
        Sample.model_validate(GOOD | changes)
    return [dict(e) for e in refused.value.errors()]


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"count": "3"}, "应为整数"),
        ({"count": 0}, "不能小于1"),
        ({"count": 11}, "不能大于10"),
        ({"method": "email"}, "应为下列之一：'in_person' or 'post'"),
        ({"officer_id": "nobody"}, "应为有效的编号"),
        ({"held_on": "5/12/2026"}, "日期格式有误"),
        ({"text": ""}, "不能为空"),
        ({"text": "toolong"}, "过长：最多5个字符"),
        ({"tags": ["a", "b", "c"]}, "过长：最多2项"),
        ({"extra": 1}, "不接受该字段"),
    ],
)
def test_each_kind_of_refusal_is_worded_in_chinese(changes: dict[str, object], said: str) -> None:
    (error,) = errors_of(**changes)
    assert said in message_zh(error)


def test_the_services_own_input_rules_are_worded_in_chinese_too() -> None:
    class Typed(BaseModel):
        line: Line
        on: SaneDate

    with pytest.raises(ValidationError) as refused:
        Typed.model_validate({"line": "a\u0000b", "on": "1800-01-01"})
    said = [message_zh(dict(e)) for e in refused.value.errors()]
    assert said[0] == "不允许输入控制字符 U+0000"
    assert said[1].startswith("日期须在 ")


def test_a_missing_field_is_named_where_it_is() -> None:
    data = dict(GOOD)
    del data["count"]
    with pytest.raises(ValidationError) as refused:
        Sample.model_validate(data)
    assert problems_zh(list(refused.value.errors()), "data.") == ["data.count：必须填写"]


def test_a_steps_refused_data_is_worded_in_chinese_for_a_chinese_reader_and_in_english_for_an_english_one(
    client: TestClient, auth: Auth
) -> None:
    cases = Cases(client, auth)
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    path = f"/api/v1/cases/{case['id']}/steps/record_inquiry"
    body = {"officers": cases.with_second(), "data": {"place": "x", "summary": "y", "subject": 5}}
    chinese = client.post(path, headers=auth("officer1") | {"Accept-Language": "zh-CN"}, json=body)
    assert chinese.status_code == 422, chinese.text
    assert "应为文字" in chinese.json()["detail"]
    assert "Input should be" not in chinese.json()["detail"]
    english = client.post(path, headers=auth("officer1") | {"Accept-Language": "en"}, json=body)
    assert english.status_code == 422, english.text
    assert "Input should be a valid string" in english.json()["detail"]
