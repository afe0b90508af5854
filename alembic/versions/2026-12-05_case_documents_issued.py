"""The documents issued for a case, kept in its case file: serving a decision waits for its document (第六十一条).

Revision ID: 0028_case_documents_issued
Revises: 0027_case_next_deadline
Create Date: 2026-12-05

Reviewed by hand. No column changes: the case file (``cases.file``, JSON) gains ``documents_issued`` — each kind's
latest issue, the moment its entry was recorded — as the projector of ``case:document:issued`` now keeps it
(service/documents/service.py, ``_issued``; service/cases/casefile.py, ``document_issued``), and a decision forgets
one of its own kind issued before it (``_decided``). Existing cases get what the projectors would have given them:
each issue and decision entry is read from its canonical bytes, in the case's order, so verification still finds
the live tables equal to the replay. A case file without an issue keeps no key, as the projector
leaves it. The downgrade takes the key out again.
"""

import json
import uuid
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0028_case_documents_issued"
down_revision: str | None = "0027_case_next_deadline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ISSUED = "case:document:issued"
KEY = "documents_issued"
# A decision forgets a document of its kind issued before it (service/cases/casefile.py, ``_decided``): in the
# general procedure only an order to correct can precede its decision, but the replay's rule is mirrored whole.
DECIDED = {
    "case:decision:penalty": "penalty_decision",
    "case:decision:no_penalty": "no_penalty_decision",
    "case:decision:order": "order_to_correct",
}

_ENTRIES = sa.table(
    "ledger_entries",
    sa.column("stream", sa.String()),
    sa.column("stream_seq", sa.Integer()),
    sa.column("type", sa.String()),
    sa.column("canonical", sa.LargeBinary()),
)
_CASES = sa.table("cases", sa.column("id", sa.Uuid()), sa.column("file", sa.JSON()))


def upgrade() -> None:
    connection = op.get_bind()
    issued: dict[uuid.UUID, dict[str, str]] = {}
    entries = (
        sa.select(_ENTRIES.c.type, _ENTRIES.c.canonical)
        .where(_ENTRIES.c.stream.like("case:%"), _ENTRIES.c.type.in_([ISSUED, *DECIDED]))
        .order_by(_ENTRIES.c.stream, _ENTRIES.c.stream_seq)
    )
    for type_, canonical in connection.execute(entries):
        entry = json.loads(bytes(canonical))
        body = entry["body"]
        case_id = uuid.UUID(body["case_id"])
        if type_ in DECIDED:
            if DECIDED[type_] in issued.get(case_id, {}):
                del issued[case_id][DECIDED[type_]]
            continue
        issued.setdefault(case_id, {})[body["kind"]] = entry["recorded_at"]  # the latest, entries in their order
    # A case whose issues a decision all forgot keeps the key, empty, as the projector leaves it.
    for case_id, kinds in issued.items():
        file = connection.execute(sa.select(_CASES.c.file).where(_CASES.c.id == case_id)).scalar_one_or_none()
        if file is None:
            continue
        connection.execute(sa.update(_CASES).where(_CASES.c.id == case_id).values(file={**file, KEY: kinds}))


def downgrade() -> None:
    connection = op.get_bind()
    for case_id, file in connection.execute(sa.select(_CASES.c.id, _CASES.c.file)).all():
        if file and KEY in file:
            connection.execute(
                sa.update(_CASES).where(_CASES.c.id == case_id).values(file={k: v for k, v in file.items() if k != KEY})
            )
