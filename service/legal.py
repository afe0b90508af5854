"""Citations of law, shared by the pure rules and the error responses (no web or database imports)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LegalBasis:
    """A rule of law: e.g. LegalBasis("中华人民共和国行政处罚法", 42)."""

    law: str
    article: int
    paragraph: int | None = None

    def cite(self) -> str:
        text = f"《{self.law}》第{self.article}条"
        return text + (f"第{self.paragraph}款" if self.paragraph else "")

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"law": self.law, "article": self.article, "citation": self.cite()}
        if self.paragraph:
            out["paragraph"] = self.paragraph
        return out


ADMINISTRATIVE_PENALTY_LAW = "中华人民共和国行政处罚法"


def penalty_law(article: int, paragraph: int | None = None) -> LegalBasis:
    return LegalBasis(ADMINISTRATIVE_PENALTY_LAW, article, paragraph)


ADMINISTRATIVE_COERCION_LAW = "中华人民共和国行政强制法"
ADMINISTRATIVE_LITIGATION_LAW = "中华人民共和国行政诉讼法"


def coercion_law(article: int, paragraph: int | None = None) -> LegalBasis:
    return LegalBasis(ADMINISTRATIVE_COERCION_LAW, article, paragraph)
