"""Cases walked through the API to where their documents exist, and a way to read a PDF's text."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader

from service.clock import FixedClock
from tests.cases.driver import Cases
from tests.cases.test_case_api import NOTICE, fine

PARTY_NAME = "张𠀀三"  # U+20000, CJK Unified Ideographs Extension B


def text_of(pdf: bytes) -> str:
    """The PDF's text, without the line breaks and spaces the layout puts between characters."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return "".join(text.split())


def decided_case(cases: Cases, clock: FixedClock, *, served: bool = True) -> dict[str, Any]:
    """A general-procedure case decided with a 300-yuan fine, its decision signed, with evidence and records; with
    ``served``, its 行政处罚决定书 issued (铁门罚决〔2026〕1号) and served (第六十一条)."""
    case = cases.open(
        party={
            "party_type": "individual",
            "name": PARTY_NAME,
            "id_number": "500228199001011234",
            "phone": "13800000000",
            "address": "重庆市梁平区铁门乡某村三组12号",
        }
    )
    cases.step(case, "approve_filing", "head")
    photo = cases.client.post(
        f"/api/v1/cases/{case['id']}/evidence",
        params={"kind": "audio_visual", "description": "现场照片三张", "officers": [cases.officer("officer2")]},
        content=b"photo-bytes",
        headers=cases.auth("officer1"),
    )
    assert photo.status_code == 201, photo.text
    cases.step(
        case,
        "record_inquiry",
        officers=cases.with_second(),
        data={"place": "当事人家中", "summary": "问：你是否倾倒了垃圾？答：是的。", "subject": "当事人本人"},
    )
    cases.step(
        case,
        "record_inspection",
        officers=cases.with_second(),
        data={"place": "村道旁", "summary": "现场有生活垃圾约0.5立方米"},
    )
    cases.step(case, "close_investigation", officers=cases.with_second(), data={"report": "事实清楚，证据确凿"})
    cases.circumstances(case)
    cases.step(case, "intend_penalty", "head", data={"penalty": fine(30000)})
    cases.step(
        case,
        "serve_prior_notice",
        officers=cases.with_second(),
        data={"notice": NOTICE | {"penalty": fine(30000), "informs_hearing_right": False}},
    )
    cases.step(case, "record_statement", data={"summary": "当事人表示愿意改正"})
    clock.advance(days=8)
    cases.step(case, "conclude_party_hearing")
    cases.step(
        case,
        "decide_penalty",
        "head",
        data={
            "penalty": fine(30000),
            "discretion_statement": "当事人主动清理，一般情节",
            "evidence": cases.evidence(case),
        },
    )
    clock.advance(days=1)
    cases.sign_decision(case, cases.signer("head"))
    if served:
        cases.serve_decision(case)
    return case
