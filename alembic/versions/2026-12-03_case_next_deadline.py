"""The deadlines a case runs against, kept on its row: their names, the earliest and the latest last day, and whether
one could not be counted — so that the deadline list and the overdue and due-soon filters are one indexed query.

Revision ID: 0027_case_next_deadline
Revises: 0026_publication_changes
Create Date: 2026-12-03

Reviewed by hand. Existing cases get what the projectors would give them (service/cases/deadline_revision.py,
``keep_in_force``): each case's entries are read in their order from their canonical bytes; a step's entry sets
the names in force to the deadlines it recorded (and whether any could not be counted), a revision entry sets them
to its ``in_force`` when it has one and otherwise adds the names it changed; the earliest and latest last days are
then read from the dates the case file records. So verification still finds the live tables equal to the replay.
"""

import json
import uuid
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from alembic import op

revision: str = "0027_case_next_deadline"
down_revision: str | None = "0026_publication_changes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REVISED = "case:deadlines:revised"


def upgrade() -> None:
    op.add_column("cases", sa.Column("deadlines_in_force", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    op.add_column("cases", sa.Column("next_due_on", sa.Date(), nullable=True))
    op.add_column("cases", sa.Column("last_due_on", sa.Date(), nullable=True))
    op.add_column("cases", sa.Column("deadline_unknown", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.create_index("ix_cases_agency_next_due_on", "cases", ["agency_id", "next_due_on"])

    connection = op.get_bind()
    entries = sa.table(
        "ledger_entries",
        sa.column("stream", sa.String()),
        sa.column("stream_seq", sa.Integer()),
        sa.column("type", sa.String()),
        sa.column("canonical", sa.LargeBinary()),
    )
    in_force: dict[uuid.UUID, tuple[list[str], bool]] = {}
    for type_, canonical in connection.execute(
        sa.select(entries.c.type, entries.c.canonical)
        .where(entries.c.stream.like("case:%"))
        .order_by(entries.c.stream, entries.c.stream_seq)
    ):
        body = json.loads(canonical)["body"]
        if not isinstance(body, dict) or "case_id" not in body:
            continue
        case_id = uuid.UUID(body["case_id"])
        names, unknown = in_force.get(case_id, ([], False))
        if type_ == REVISED:
            names = body["in_force"] if "in_force" in body else sorted({*names, *(c["name"] for c in body["changes"])})
            unknown = bool(body["problems"]) if "problems" in body else unknown
        elif "transition" in body and "deadlines" in body:
            names = [d["name"] for d in body["deadlines"]]
            unknown = bool(body.get("deadline_problems"))
        else:
            continue
        in_force[case_id] = (sorted(names), unknown)

    cases = sa.table(
        "cases",
        sa.column("id", sa.Uuid()),
        sa.column("file", sa.JSON()),
        sa.column("deadlines_in_force", sa.JSON()),
        sa.column("next_due_on", sa.Date()),
        sa.column("last_due_on", sa.Date()),
        sa.column("deadline_unknown", sa.Boolean()),
    )
    for case_id, file in connection.execute(sa.select(cases.c.id, cases.c.file)):
        names, unknown = in_force.get(case_id, ([], False))
        recorded = (file or {}).get("deadlines", {})
        dates = [date.fromisoformat(recorded[n]["due_on"]) for n in names if n in recorded]
        connection.execute(
            sa.update(cases)
            .where(cases.c.id == case_id)
            .values(
                deadlines_in_force=names,
                next_due_on=min(dates, default=None),
                last_due_on=max(dates, default=None),
                deadline_unknown=unknown,
            )
        )


def downgrade() -> None:
    op.drop_index("ix_cases_agency_next_due_on", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("deadline_unknown")
        batch.drop_column("last_due_on")
        batch.drop_column("next_due_on")
        batch.drop_column("deadlines_in_force")
