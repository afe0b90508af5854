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
    # Cited by analogy (参照): a rule that binds other agencies, where the law itself is silent (e.g. 市场监督管理行政
    # 处罚程序规定 on closing a case); the citation says so, so nobody takes it for the township's own rule.
    by_analogy: bool = False

    def cite(self) -> str:
        text = f"{'（参照）' if self.by_analogy else ''}《{self.law}》第{self.article}条"
        return text + (f"第{self.paragraph}款" if self.paragraph else "")

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"law": self.law, "article": self.article, "citation": self.cite()}
        if self.paragraph:
            out["paragraph"] = self.paragraph
        if self.by_analogy:
            out["by_analogy"] = True
        return out


ADMINISTRATIVE_PENALTY_LAW = "中华人民共和国行政处罚法"


def penalty_law(article: int, paragraph: int | None = None) -> LegalBasis:
    return LegalBasis(ADMINISTRATIVE_PENALTY_LAW, article, paragraph)


ADMINISTRATIVE_COERCION_LAW = "中华人民共和国行政强制法"
ADMINISTRATIVE_LITIGATION_LAW = "中华人民共和国行政诉讼法"


def coercion_law(article: int, paragraph: int | None = None) -> LegalBasis:
    return LegalBasis(ADMINISTRATIVE_COERCION_LAW, article, paragraph)
