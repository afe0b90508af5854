"""A step's form speaks the officer's language: every field has a name, every hint and every choice a Chinese
text (service/console/i18n.py), taken from the law's own terms; the English page keeps the English; what the
form sends is still the code the payload model takes (service/cases/payloads.py)."""

from __future__ import annotations

import html
import json
import re

import sqlalchemy as sa
from fastapi.testclient import TestClient

from service.cases.guards import DecisionOutcome
from service.cases.schemas import SOURCE_KINDS
from service.cases.steps import STEPS
from service.console.forms import Field, form_of
from service.console.i18n import (
    CHOICE_NAMES,
    FIELD_HINTS,
    FIELD_NAMES,
    STEP_FIELD_WORDS,
    choice_name,
    field_hint,
    field_name,
)
from service.evidence.service import EvidenceKind
from service.ledger.models import LedgerEntry
from service.runtime import Runtime

from .helpers import sign_in
from .test_casework import file_as_head, officer_id, open_case, submit_step

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(r"[A-Za-z]+(?:[ ,;:]+[A-Za-z]+){2,}")  # three English words in a row: a sentence left
OUTCOMES = {("outcome", str(o)) for o in DecisionOutcome}  # a decision's outcome, named on the sign-off and reports


def every_field() -> list[tuple[str, Field]]:
    """Each field of each step's form, with its step: what an officer is shown."""
    return [(name, f) for name, step in STEPS.items() for f in form_of(step.payload.model_json_schema()).fields]


def last(f: Field) -> str:
    return f.name.rsplit(".", 1)[-1]


def test_every_field_of_every_step_has_chinese_words_for_its_name_hint_and_choices() -> None:
    """A field a payload adds without words fails here, named with its step."""
    fields = every_field()
    assert fields, "no step has a form"
    unnamed = sorted({f"{step}: {f.name}" for step, f in fields if last(f) not in FIELD_NAMES})
    unhinted = sorted(
        {
            f"{step}: {f.name}: {f.description!r}"
            for step, f in fields
            if f.description and f.description not in FIELD_HINTS
        }
    )
    unchosen = sorted(
        {f"{step}: {f.name} = {c}" for step, f in fields for c in f.choices if (last(f), c) not in CHOICE_NAMES}
    )
    missing = (
        [f"FIELD_NAMES lacks {line}" for line in unnamed]
        + [f"FIELD_HINTS lacks {line}" for line in unhinted]
        + [f"CHOICE_NAMES lacks {line}" for line in unchosen]
    )
    assert missing == [], "words missing in service/console/i18n.py:\n" + "\n".join(missing)


def test_a_fields_own_words_on_a_step_name_a_field_that_step_has() -> None:
    fields = {(step, f.name) for step, f in every_field()}
    assert sorted(set(STEP_FIELD_WORDS) - fields) == []


def test_every_outcome_of_a_decision_has_a_name() -> None:
    """The sign-off page and the yearly report name a decision's outcome by the choices' words, never its code."""
    assert sorted(OUTCOMES - set(CHOICE_NAMES)) == []


def test_every_source_of_a_case_has_a_name() -> None:
    """The registration form offers where a case came from (案件来源) by name, sending the API's code."""
    assert sorted({("source_kind", k) for k in SOURCE_KINDS} - set(CHOICE_NAMES)) == []


def test_the_registration_form_asks_where_the_case_came_from(client: TestClient) -> None:
    sign_in(client, "officer1")
    page = client.get("/cases/new?item=CQ-TM-003").text
    assert '<option value="inspection">监督检查发现</option>' in page
    assert '<option value="complaint">投诉</option>' in page


def test_every_kind_of_evidence_has_a_name() -> None:
    """The case page names an upload's kind (第四十六条: 书证、物证…) by the choices' words, never its code."""
    assert sorted({("kind", str(k)) for k in EvidenceKind} - set(CHOICE_NAMES)) == []


def test_a_chinese_text_is_chinese_and_an_english_one_english() -> None:
    for key, (zh, en) in [*FIELD_NAMES.items(), *CHOICE_NAMES.items()]:
        assert CJK.search(zh), (key, zh)
        assert not ENGLISH_WORDS.search(zh), (key, zh)
        assert en, key
        assert not CJK.search(en), (key, en)
    for english, zh in FIELD_HINTS.items():
        assert CJK.search(zh), english
        assert not ENGLISH_WORDS.search(zh), (english, zh)
        if re.search(r"[A-Za-z]", english):  # a description written in English is translated, not copied
            assert zh != english, english
        for article in re.findall(r"第[一二三四五六七八九十百]+条", english):  # the articles it cites, kept
            assert article in zh, (english, article)


def test_the_words_are_looked_up_by_the_fields_last_name_and_fall_back_to_what_they_name() -> None:
    assert field_name("notice.penalty.kinds", "Kinds", "zh") == "处罚种类"
    assert field_name("delivered_on_the_spot", "Delivered On The Spot", "en") == "Delivered on the spot"
    assert field_name("no_such_field", "No Such Field", "zh") == "No Such Field"
    assert choice_name("notice.penalty.kinds", "warning", "zh") == "警告"
    assert choice_name("kinds", "warning", "en") == "Warning"
    assert choice_name("supplies_cut", "gas", "zh") == "供燃气"  # 行政强制法 第四十三条第二款
    assert choice_name("kinds", "no_such_kind", "zh") == "no_such_kind"
    described = "the hearing record (听证笔录)"
    assert field_hint(described, "zh") == "听证笔录"
    assert field_hint(described, "en") == described
    assert field_hint("a description nobody translated", "zh") == "a description nobody translated"


def test_a_step_page_shows_the_hints_and_choices_in_chinese_and_sends_the_codes(
    client: TestClient, runtime: Runtime
) -> None:
    csrf = sign_in(client, "officer1")
    case_id = open_case(client, csrf, runtime)
    file_as_head(client, case_id)
    age = "adult, aged_14_to_18 (从轻或者减轻, 第三十条), under_14 (不予处罚), or not_applicable for an organisation"

    page = html.unescape(client.get(f"/cases/{case_id}/steps/record_circumstances").text)
    assert FIELD_HINTS[age] in page
    assert age not in page
    assert "the grounds of 第三十二条 found" not in page
    assert "查明的第三十二条所列情形" in page  # a multiselect's hint is shown too
    assert '<option value="aged_14_to_18">已满十四周岁不满十八周岁</option>' in page
    assert '<option value="more_than_minor">危害后果不属轻微</option>' in page
    assert (
        'value="coerced_or_deceived"><label for="f-mitigations-coerced_or_deceived">受他人胁迫或者诱骗实施违法行为<'
        in page
    )
    assert ">aged_14_to_18<" not in page
    assert "违法行为时的年龄" in page  # the name, not the schema's title "AgeAtAct"
    assert "AgeAtAct" not in page

    # One payload, two records: an inspection names who was present, an inquiry who was asked.
    inspection = html.unescape(client.get(f"/cases/{case_id}/steps/record_inspection").text)
    assert "当事人或者在场人" in inspection
    assert "被询问人" not in inspection
    assert "被询问人" in html.unescape(client.get(f"/cases/{case_id}/steps/record_inquiry").text)

    penalty = html.unescape(client.get(f"/cases/{case_id}/steps/intend_penalty").text)
    assert (
        'value="confiscate_illegal_gains"><label for="f-penalty-kinds-confiscate_illegal_gains">没收违法所得<'
        in penalty
    )
    assert "单位：元，可精确到分" in penalty  # typed in yuan (test_money_and_evidence_fields.py)
    assert "an amount in fen" not in penalty

    # What the form sends is the code, recorded as the payload model takes it.
    recorded = submit_step(
        client,
        case_id,
        "record_circumstances",
        age_at_act="aged_14_to_18",
        mental_capacity="full",
        mitigations=["coerced_or_deceived", "removed_or_reduced_harm"],
        harm="minor",
        findings="询问笔录、现场检查笔录",
        officers=officer_id(runtime, "李娜"),
    )
    assert recorded.status_code == 303, recorded.text
    with runtime.database.transaction(write=False) as session:
        canonical = session.scalars(
            sa.select(LedgerEntry.canonical)
            .where(LedgerEntry.stream == f"case:{case_id}", LedgerEntry.type == "case:circumstances:recorded")
            .order_by(LedgerEntry.stream_seq.desc())
        ).first()
    assert canonical is not None
    body = json.dumps(json.loads(bytes(canonical))["body"], ensure_ascii=False)
    for code in ('"aged_14_to_18"', '"coerced_or_deceived"', '"removed_or_reduced_harm"', '"minor"'):
        assert code in body
    assert "已满十四周岁" not in body

    # The English page keeps the English description and names the choices in English; the values stay the codes.
    client.get("/lang/en")
    english = html.unescape(client.get(f"/cases/{case_id}/steps/record_circumstances").text)
    assert age in english
    assert FIELD_HINTS[age] not in english
    assert '<option value="aged_14_to_18">14 or over, under 18</option>' in english
    assert (
        'value="coerced_or_deceived"><label for="f-mitigations-coerced_or_deceived">Coerced or deceived into the act<'
        in english
    )
    assert "Age at the act" in english
