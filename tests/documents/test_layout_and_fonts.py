"""The typesetting itself: no tofu for a rare name, templates that name unknown fields refused, the page furniture."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from service.documents.fields import DocumentFields
from service.documents.kinds import DocumentKind
from service.documents.policy import DocumentPolicyError, load_document_policy
from service.documents.typesetting import FontsMissing, Stamp, check_fonts, typesetter

from .walk import PARTY_NAME, text_of

TEMPLATES = Path(__file__).resolve().parents[2] / "policies" / "documents"
EXTENSION_B = "\U00020000"


def decision_fields(**changes: object) -> DocumentFields:
    values: dict[str, object] = dict(
        title="行政处罚决定书",
        agency_name="重庆市梁平区铁门乡人民政府",
        number="铁门罚决〔2026〕1号",
        draft=False,
        document_id="ABCD-EFGH-JKMN",
        verify_url="http://localhost:8000/api/v1/public/agencies/tiemen/documents/ABCDEFGHJKMN",
        party_name=PARTY_NAME,
        party_address="重庆市梁平区铁门乡某村三组12号",
        facts="经查，当事人在村道旁倾倒生活垃圾。",
        penalty="罚款300元（叁佰元整）",
    )
    return DocumentFields.model_validate(values | changes)


def _to_unicode(font: object) -> dict[int, str]:
    """CID → text, from a font's ToUnicode CMap (bfchar and bfrange entries)."""
    data = font["/ToUnicode"].get_object().get_data().decode("latin-1")  # type: ignore[index]
    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for cid, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(cid, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for start, end, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = int.from_bytes(bytes.fromhex(text), "big")
            for offset, cid in enumerate(range(int(start, 16), int(end, 16) + 1)):
                mapping[cid] = chr(first + offset)
    return mapping


def test_a_name_with_an_extension_b_character_prints_from_an_embedded_font_with_no_tofu() -> None:
    pdf = typesetter(TEMPLATES).render(
        TEMPLATES / "penalty_decision.typ", decision_fields(), Stamp("ABCD-EFGH-JKMN", "http://x")
    )
    covered: dict[str, tuple[str, int, object]] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            for cid, text in _to_unicode(font).items():
                assert cid != 0, f"{text!r} is drawn with .notdef (a tofu box) in {font['/BaseFont']}"
                for char in text:
                    covered[char] = (str(font["/BaseFont"]), cid, font)
    printed = set(text_of(pdf))
    assert EXTENSION_B in printed
    assert not printed - set(covered) - {" "}, "characters drawn without a glyph of an embedded font"
    base_font, cid, font = covered[EXTENSION_B]
    assert "HanaMinB" in base_font
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()  # type: ignore[index]
    embedded = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
    glyph = embedded["glyf"][embedded.getGlyphOrder()[cid]]
    assert glyph.numberOfContours > 0  # an outline, not an empty box


def test_without_cjk_fonts_the_error_names_the_packages_to_install() -> None:
    with pytest.raises(FontsMissing, match="fonts-noto-cjk fonts-hanazono"):
        check_fonts(["DejaVu Serif"])


def test_a_template_naming_an_unknown_field_is_refused_at_load_with_its_location(tmp_path: Path) -> None:
    shutil.copytree(TEMPLATES, tmp_path / "documents")
    template = tmp_path / "documents" / "prior_notice.typ"
    lines = template.read_text(encoding="utf-8").splitlines()
    lines.insert(5, "当事人电子邮箱：#doc.party_email")
    template.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DocumentPolicyError, match=r"prior_notice\.typ:6: the template names doc\.party_email"):
        load_document_policy(tmp_path / "documents")


def test_the_shipped_templates_load() -> None:
    policy = load_document_policy(TEMPLATES)
    assert {policy.template(k).name for k in DocumentKind} <= {p.name for p in TEMPLATES.glob("*.typ")}


def test_every_page_says_which_page_of_how_many_and_carries_the_identifier() -> None:
    long = decision_fields(facts="经查，当事人在村道旁倾倒生活垃圾。" * 60)
    pdf = typesetter(TEMPLATES).render(TEMPLATES / "penalty_decision.typ", long, Stamp("ABCD-EFGH-JKMN", "http://x"))
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        text = "".join(page.extract_text().split())
        assert f"第{number}页共{len(pages)}页" in text
        assert "ABCD-EFGH-JKMN" in text


def test_a_draft_is_watermarked_and_carries_no_identifier() -> None:
    pdf = typesetter(TEMPLATES).render(TEMPLATES / "penalty_decision.typ", decision_fields(draft=True), None)
    text = text_of(pdf)
    assert "草稿" in text
    assert "ABCD-EFGH-JKMN" not in text
