"""``policies/documents/``: the office's letterhead, remedies and numbering (``documents.yaml``) and one Typst
template per kind of document (``<kind>.typ``, sharing ``layout.typ``).

Loading reads every template and refuses the set when one names a field ``DocumentFields`` does not declare,
naming the file and line (service/documents/fields.py); a kind without its template is refused too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.documents.fields import unknown_fields
from service.documents.kinds import DocumentKind
from service.policy.strict_yaml import load_strict

LAYOUT = "layout.typ"


class DocumentPolicyError(ValueError):
    pass


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Letterhead(_Strict):
    reconsideration_body: str = Field(min_length=1)  # 复议机关 (行政复议法 第二十四条)
    reconsideration_period: str = Field(min_length=1)
    court: str = Field(min_length=1)
    litigation_period: str = Field(min_length=1)
    payment_place: str = Field(min_length=1)
    contact: str = ""


class _DocumentsFile(_Strict):
    version: int = Field(ge=1, le=1)
    letterhead: Letterhead
    # {prefix} the agency's short name (policies/cases.yaml), {abbreviation} the kind's, {year}, {n}
    number_format: str = Field(min_length=1)
    abbreviations: dict[DocumentKind, str]


@dataclass(frozen=True)
class DocumentPolicy:
    root: Path
    letterhead: Letterhead
    number_format: str
    abbreviations: dict[DocumentKind, str]
    version: str  # SHA-256 over documents.yaml and every template, as each issued document's entry records it

    def number(self, kind: DocumentKind, prefix: str, year: int, n: int) -> str:
        return self.number_format.format(prefix=prefix, abbreviation=self.abbreviations[kind], year=year, n=n)

    def template(self, kind: DocumentKind) -> Path:
        return self.root / f"{kind.value}.typ"


def load_document_policy(root: Path) -> DocumentPolicy:
    """Read ``root/documents.yaml`` and check every template under ``root``."""
    path = root / "documents.yaml"
    try:
        parsed = _DocumentsFile.model_validate(load_strict(path.read_bytes()))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise DocumentPolicyError(f"{path}: invalid document policy: {exc}") from exc
    missing = [k.value for k in DocumentKind if k not in parsed.abbreviations]
    if missing:
        raise DocumentPolicyError(f"{path}: no abbreviation for {', '.join(missing)}")
    digest = hashlib.sha256()
    for source in [path, *sorted(root.glob("*.typ"))]:
        digest.update(f"{source.name}\0{len(source.read_bytes())}\0".encode())
        digest.update(source.read_bytes())
    policy = DocumentPolicy(
        root, parsed.letterhead, parsed.number_format, dict(parsed.abbreviations), digest.hexdigest()
    )
    policy.number(DocumentKind.PRIOR_NOTICE, "x", 2026, 1)
    problems: list[str] = []
    for kind in DocumentKind:
        if not policy.template(kind).is_file():
            problems.append(f"{policy.template(kind)}: the template of {kind.value} is missing")
    for template in sorted(root.glob("*.typ")):
        problems += [str(u) for u in unknown_fields(str(template), template.read_text(encoding="utf-8"))]
    if problems:
        raise DocumentPolicyError("; ".join(problems))
    return policy
