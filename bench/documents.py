"""Printing documents (service/documents/): a decision typeset, and a 40-page dossier assembled.

What is timed is what an issue request spends outside the database: ``Typesetter.render`` of the decision template
with its QR code (Typst, fonts loaded once per process), and ``assemble_dossier``: the cover and table of contents
typeset with one numbering page per document page (twice when the table's length changes the page count), the issued
PDFs counted and merged with pypdf, each of their pages overlaid with its dossier-wide number (卷内页码), the closing
note last. Every render is PDF/A-3u. Baseline: the same compiler typesetting a one-line document with the same fonts
and layout (the floor of any render). The first render of a process, which loads the fonts, is reported apart.
Targets of issue 20: a decision < 1 s, a 40-page dossier < 10 s.
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

from bench.common import console, print_params, print_table
from service.documents.fields import DocumentFields, Line
from service.documents.kinds import DocumentKind
from service.documents.policy import load_document_policy
from service.documents.service import assemble_dossier
from service.documents.typesetting import Stamp, Typesetter

NAME = "documents"
HELP = "typeset a decision and assemble a 40-page dossier (targets: < 1 s, < 10 s)"
TEMPLATES = Path(__file__).resolve().parent.parent / "policies" / "documents"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rounds", type=int, default=10, help="timed renders of each kind")
    parser.add_argument("--dossier-pages", type=int, default=40, help="pages of issued documents in the dossier")


def _fields(facts_repeat: int, round_number: int = 0) -> DocumentFields:
    """A decision's fields; ``round_number`` makes each round's text differ, so that no round is answered from
    Typst's memo of an earlier compile."""
    return DocumentFields(
        title="行政处罚决定书",
        agency_name="重庆市梁平区铁门乡人民政府",
        number="铁门罚决〔2026〕12号",
        draft=False,
        document_id="K7Q2-M4XD-9PRT",
        verify_url="http://localhost:8000/api/v1/public/agencies/tiemen/documents/K7Q2M4XD9PRT",
        party_name="张𠀀三",
        party_id_number="500228199001011234",
        party_address="重庆市梁平区铁门乡某村三组12号",
        facts=f"经查（{round_number}），2026年11月3日，当事人在铁门乡某村村道旁倾倒生活垃圾约0.5立方米。"
        * facts_repeat,
        evidence=[Line(label=str(i), text=f"视听资料：现场照片第{i}组") for i in range(1, 6)],
        violation_basis="《重庆市城市容貌和环境卫生管理条例》第三十条",
        penalty_basis="《重庆市城市容貌和环境卫生管理条例》第六十条",
        penalty="罚款300元（叁佰元整）",
        discretion="当事人主动清理，一般情节",
        reconsideration_body="重庆市梁平区人民政府",
        reconsideration_period="六十日",
        court="重庆市梁平区人民法院",
        litigation_period="六个月",
        payment_place="持本决定书到指定的银行缴纳罚款",
        issued_on="2026年12月2日",
    )


def _timed(fn: object, rounds: int) -> list[float]:
    assert callable(fn)
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def main(args: argparse.Namespace) -> None:
    print_params(NAME, {"rounds": args.rounds, "dossier_pages": args.dossier_pages})
    policy = load_document_policy(TEMPLATES)
    started = time.perf_counter()
    setter = Typesetter(TEMPLATES)
    decision = policy.template(DocumentKind.PENALTY_DECISION)
    stamp = Stamp("K7Q2-M4XD-9PRT", "http://localhost:8000/api/v1/public/agencies/tiemen/documents/K7Q2M4XD9PRT")
    first = setter.render(decision, _fields(1), stamp)
    cold = time.perf_counter() - started
    counter = iter(range(1, 10**9))
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "documents"
        shutil.copytree(TEMPLATES, copy)
        (copy / "floor.typ").write_text('#import "layout.typ": *\n#show: official\n正文一行。\n', encoding="utf-8")
        floor_setter = Typesetter(copy)
        floor_setter.render(copy / "floor.typ", _fields(1), stamp)
        floor = _timed(lambda: floor_setter.render(copy / "floor.typ", _fields(1, next(counter)), stamp), args.rounds)
    warm = _timed(lambda: setter.render(decision, _fields(1, next(counter)), stamp), args.rounds)

    documents = []
    pages = 0
    while pages < args.dossier_pages:
        pdf = setter.render(decision, _fields(1 + 4 * (len(documents) % 3), next(counter)), stamp)
        documents.append((f"铁门罚决〔2026〕{len(documents) + 1}号", "行政处罚决定书", pdf))
        pages += len(PdfReader(io.BytesIO(pdf)).pages)
    dossier_template = policy.template(DocumentKind.DOSSIER)
    result: list[bytes] = []

    def dossier_once() -> None:
        cover = _fields(1, next(counter)).model_copy(update={"title": "卷宗"})
        result.append(assemble_dossier(lambda f: setter.render(dossier_template, f, stamp), cover, documents))

    dossier = _timed(dossier_once, max(3, args.rounds // 3))
    dossier_pages = len(PdfReader(io.BytesIO(result[-1])).pages)

    def row(name: str, samples: list[float], target: str) -> list[object]:
        median = statistics.median(samples)
        return [
            name,
            f"{median * 1e3:.0f} ms",
            f"{max(samples) * 1e3:.0f} ms",
            f"{median / statistics.median(floor):.1f}",
            target,
        ]

    print_table(
        "typesetting (median and worst of the rounds; × the one-line floor)",
        ["operation", "median", "worst", "× floor", "target"],
        [
            row("floor: one-line document, same layout and fonts", floor, ""),
            row(f"decision ({len(PdfReader(io.BytesIO(first)).pages)} pages)", warm, "< 1 s"),
            row(f"dossier: {len(documents)} documents, {dossier_pages} pages in all", dossier, "< 10 s"),
        ],
    )
    console.print(f"first render of the process (loads the fonts): {cold * 1e3:.0f} ms")
