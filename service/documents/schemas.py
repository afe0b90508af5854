"""The API's shapes of documents: an issued document, a download's reason, the public verification answer."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from service.documents.kinds import DocumentKind


class DocumentOut(BaseModel):
    id: str = Field(description="the identifier printed on every page (without dashes)")
    kind: DocumentKind
    title: str
    number: str
    sha256: str
    size: int
    pages: int
    issued_at: datetime
    issued_by: str
    verify_url: str
    entry: int | None = Field(
        default=None,
        description="for a record a case may hold several of (询问笔录, 现场检查笔录): the position on the case's "
        "chain of the record it prints",
    )


class PrintableOut(BaseModel):
    """A document the case establishes now that the caller may issue."""

    kind: DocumentKind
    title: str
    entry: int | None = Field(
        default=None,
        description="for a record a case may hold several of: the position on the case's chain of the record it "
        "prints — send it as ?entry= to draft or issue it",
    )
    issued: str | None = Field(default=None, description="the number of the document issued for it last, if any")


class DownloadBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000, description="why the document is read, e.g. 送达决定书")


class PublicDocumentOut(BaseModel):
    """What the verification page states: what the document is, when it was recorded, its recorded SHA-256 and
    the proof — nothing about the party (the entry names none)."""

    agency: str
    agency_name: str
    id: str
    kind: DocumentKind
    title: str
    number: str
    recorded_at: datetime
    sha256: str
    size: int
    pages: int
    proof: dict[str, object] = Field(
        description="entry (canonical bytes, base64), index, size, proof (base64 hashes), checkpoint (signed note), "
        "vkey: `caseledger verify-document FILE.pdf --proof THIS.json --vkey VKEY` checks it offline"
    )
    notice: str
