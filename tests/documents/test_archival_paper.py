"""The paper as it is archived: every document typeset as PDF/A-3u, the proof-carrying copy's proof a PDF/A-3
associated file, and the dossier numbered through (卷内页码) with a table of contents giving those numbers."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from service.documents.fields import DocumentFields
from service.documents.kinds import DocumentKind
from service.documents.proofs import (
    PROOF_FILE,
    DocumentProof,
    associated_files,
    embedded_proof,
    proof_carrying_copy,
)
from service.documents.service import assemble_dossier
from service.documents.typesetting import Stamp, typesetter

from .test_layout_and_fonts import TEMPLATES, decision_fields
from .walk import text_of

pytestmark = pytest.mark.slow
STAMP = Stamp("ABCD-EFGH-JKMN", "http://localhost:8000/api/v1/public/agencies/tiemen/documents/ABCDEFGHJKMN")
PROOF = DocumentProof(b'{"kind":"caseledger.entry/v1"}', 7, 12, [bytes(32), bytes(range(32))], "checkpoint", "vkey")


def decision(**changes: object) -> bytes:
    return typesetter(TEMPLATES).render(TEMPLATES / "penalty_decision.typ", decision_fields(**changes), STAMP)


def xmp(pdf: bytes) -> str:
    metadata = PdfReader(io.BytesIO(pdf)).root_object["/Metadata"].get_object()
    return str(metadata.get_data().decode("utf-8"))


def test_an_issued_document_is_typeset_as_pdf_a_3u() -> None:
    pdf = decision()
    root = PdfReader(io.BytesIO(pdf)).root_object
    assert re.search(r"<pdfaid:part>3</pdfaid:part>", xmp(pdf))
    assert re.search(r"<pdfaid:conformance>U</pdfaid:conformance>", xmp(pdf))
    intents = root["/OutputIntents"].get_object()
    assert [str(i.get_object()["/S"]) for i in intents] == ["/GTS_PDFA1"]  # the output intent PDF/A requires


def test_the_proof_copy_attaches_the_proof_as_a_pdf_a_3_associated_file() -> None:
    issued = decision()
    made = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)
    copy = proof_carrying_copy(issued, PROOF, made)
    assert copy.startswith(issued)  # an incremental update: the issued bytes are a prefix
    reader = PdfReader(io.BytesIO(copy))
    # ISO 19005-3 6.8: the file is listed in the catalog's /AF, its file specification says how it relates to
    # the document (/AFRelationship) and carries /F and /UF; its stream its MIME type and /Params /ModDate.
    (found,) = associated_files(copy)
    assert (found.name, found.unicode_name) == (PROOF_FILE, PROOF_FILE)
    assert found.relationship == "/Supplement"
    assert found.media_type == "application/json"
    assert DocumentProof.from_json(json.loads(found.data)) == PROOF
    spec = reader.root_object["/AF"][0].get_object()
    stream = spec["/EF"]["/F"].get_object()
    params = stream["/Params"]
    assert str(params["/ModDate"]).startswith("D:20261202083000")
    assert params["/Size"] == len(found.data)
    assert params["/CheckSum"].original_bytes == hashlib.md5(found.data, usedforsecurity=False).digest()
    assert "/Desc" in spec
    # the same file specification is in the /EmbeddedFiles name tree, which readers without /AF list
    assert reader.attachments[PROOF_FILE] == [found.data]
    assert embedded_proof(copy) == PROOF
    # the copy still declares PDF/A-3u: the update adds the file and touches neither metadata nor intents
    assert xmp(copy) == xmp(issued)
    assert associated_files(issued) == []


def _top_right_texts(page: object, height: float, width: float) -> list[str]:
    found: list[str] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
        if text.strip() and y > height - 30 / 25.4 * 72 and x > width / 2:
            found.append(text.strip())

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return found


def test_the_dossier_numbers_every_page_of_every_document_through_and_lists_those_numbers() -> None:
    documents = [
        ("铁门询录〔2026〕1号", "询问笔录（2026年6月1日9时30分）", decision(facts="经查。" * 10)),
        ("铁门罚决〔2026〕1号", "行政处罚决定书", decision(facts="经查，当事人在村道旁倾倒生活垃圾。" * 40)),
    ]
    counts = [len(PdfReader(io.BytesIO(pdf)).pages) for _, _, pdf in documents]
    assert counts[1] > 1  # a document of several pages
    dossier_template = TEMPLATES / "dossier.typ"
    cover = DocumentFields(title="卷宗", agency_name="重庆市梁平区铁门乡人民政府", case_title="在村道旁倾倒生活垃圾案")
    pdf = assemble_dossier(lambda f: typesetter(TEMPLATES).render(dossier_template, f, None), cover, documents)
    pages = PdfReader(io.BytesIO(pdf)).pages
    front = 2
    assert len(pages) == front + sum(counts) + 1
    for n in range(front + 1, front + sum(counts) + 1):
        page = pages[n - 1]
        box = page.mediabox
        corner = "".join(_top_right_texts(page, float(box.height), float(box.width)))
        assert corner.replace(" ", "") == f"卷内第{n}页", (n, corner)
    # each document keeps its own page furniture under the dossier's number
    assert "第1页共1页" in text_of_page(pages[front])
    assert f"第1页共{counts[1]}页" in text_of_page(pages[front + counts[0]])
    contents = text_of_page(pages[1])
    assert "卷内目录" in contents
    assert f"询问笔录（2026年6月1日9时30分）铁门询录〔2026〕1号{front + 1}" in contents
    last = front + counts[0] + counts[1]
    assert f"行政处罚决定书铁门罚决〔2026〕1号{front + counts[0] + 1}–{last}" in contents
    # neither the front matter nor the closing note carries a dossier number of a document page
    assert "卷内第" not in text_of(pdf_pages(pdf, [0, 1, len(pages) - 1]))
    assert f"第{len(pages)}页共{len(pages)}页" in text_of_page(pages[-1])
    assert DocumentKind.DOSSIER.value == "dossier"


def text_of_page(page: object) -> str:
    return "".join(page.extract_text().split())  # type: ignore[attr-defined]


def pdf_pages(pdf: bytes, indices: list[int]) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    reader = PdfReader(io.BytesIO(pdf))
    for i in indices:
        writer.add_page(reader.pages[i])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
