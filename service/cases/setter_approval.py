"""The district's approval of a departure from the discretion standard it set (重庆市规范行政处罚裁量权办法
第十九条第二款): its document is uploaded to the case as evidence is (POST /api/v1/cases/{id}/evidence, streamed,
hashed and stored by service/evidence/receiving.py), and the approval's entry names that upload by its evidence id
and carries its SHA-256, read from the upload's own entry in the case's chain — so the approval is bound to the
bytes that were received."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases.context import CaseContext
from service.cases.locking import case_stream
from service.cases.models import Case
from service.errors import InvalidInput, NotFound
from service.ledger.models import LedgerEntry

DOCUMENTARY = "documentary"  # 书证 (行政处罚法 第四十六条): a written approval is documentary


def approval_document(session: Session, context: CaseContext, case: Case, data: dict[str, Any]) -> dict[str, Any]:
    """The step's data with the approval document as its upload recorded it: evidence id, SHA-256, size, name."""
    evidence_id = str(uuid.UUID(str(data["evidence_id"])))
    rows = session.scalars(
        select(LedgerEntry.canonical).where(
            LedgerEntry.agency_id == case.agency_id,
            LedgerEntry.stream == case_stream(case.id),
            LedgerEntry.type == "case:evidence:collected",
        )
    )
    for canonical in rows:
        body = json.loads(canonical)["body"]
        if body["evidence_id"] != evidence_id:
            continue
        if body["kind"] != DOCUMENTARY:
            raise InvalidInput(
                f"the approval document is uploaded as {DOCUMENTARY} evidence, not {body['kind']}",
                "批准文件应作为书证上传",
            )
        document = {"evidence_id": evidence_id, "sha256": body["sha256"], "size": body["size"]}
        return {**data, "document": document | {"filename": body["filename"]}}
    raise NotFound(
        f"no file {evidence_id} was uploaded to this case: upload the approval document first",
        f"本案没有编号为 {evidence_id} 的上传文件：请先上传批准文件",
    )
