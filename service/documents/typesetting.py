"""Typesetting a document with Typst: the template, the fields as JSON, the QR code, the CJK fonts.

The fonts come from Debian packages the Makefile installs (fonts-noto-cjk: Noto Serif CJK SC, for a 仿宋-like
body and a bold 小标宋-like title; fonts-hanazono: HanaMinA/B, covering CJK Extensions A and B, because party
names use rare characters). They are never part of the repository. Without them no document is printed: a page
of tofu boxes in place of a party's name is worse than a refusal.
"""

from __future__ import annotations

import functools
import io
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import segno
import typst

from service.documents.fields import DocumentFields

BODY_FAMILY = "Noto Serif CJK SC"
EXTENSION_FAMILY = "HanaMinB"  # CJK Unified Ideographs Extension B (U+20000..)
INSTALL_HINT = "apt-get install -y fonts-noto-cjk fonts-hanazono (or `make fonts`)"


# Every document is typeset as PDF/A-3u (ISO 19005-3, level U: embedded fonts, an output intent, XMP metadata and
# Unicode for every glyph, so a party's rare name is searchable and copyable): an archival file the dossier keeps,
# to which the proof-carrying copy attaches its proof as an associated file (service/documents/proofs.py).
PDF_STANDARD: Final[Literal["a-3u"]] = "a-3u"


class FontsMissing(RuntimeError):
    pass


class TypesettingFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Stamp:
    """What an issued document carries on every page: its identifier, as text and as a QR code of its URL."""

    document_id: str
    url: str


def check_fonts(families: list[str]) -> None:
    missing = [f for f in (BODY_FAMILY, EXTENSION_FAMILY) if f not in families]
    if missing:
        raise FontsMissing(f"no CJK font {', '.join(missing)} found for printing documents: {INSTALL_HINT}")


class Typesetter:
    """One Typst compiler over the templates of ``root`` (fonts are loaded once; compiles are serialised)."""

    def __init__(self, root: Path) -> None:
        fonts = typst.Fonts(include_system_fonts=True, include_embedded_fonts=False)
        check_fonts(fonts.families())
        self._compiler = typst.Compiler(root=str(root), font_paths=fonts, ignore_system_fonts=True)
        self._lock = threading.Lock()
        self.root = root

    def render(self, template: Path, fields: DocumentFields, stamp: Stamp | None) -> bytes:
        inputs = {"doc": fields.model_dump_json()}
        if stamp is not None:
            inputs["qr"] = qr_svg(stamp.url)
        try:
            with self._lock:
                pdf = self._compiler.compile(
                    input=str(template), format="pdf", sys_inputs=inputs, pdf_standards=[PDF_STANDARD]
                )
        except typst.TypstError as exc:
            raise TypesettingFailed(f"{template.name}: {exc.message} {exc.diagnostic}".strip()) from exc
        assert isinstance(pdf, bytes)
        return pdf


def qr_svg(url: str) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="svg", border=0, xmldecl=False)
    return buffer.getvalue().decode("ascii")


@functools.lru_cache(maxsize=4)
def typesetter(root: Path) -> Typesetter:
    return Typesetter(root)
