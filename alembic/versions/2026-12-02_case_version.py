"""A case's version (its ETag): the substantive entries of its stream, counted from the ledger.

Revision ID: 0012_case_version
Revises: 0011_calendar_notices
Create Date: 2026-12-02

Reviewed by hand. Existing cases get the version the ledger's replay gives them (service/cases/versioning.py),
so verification still finds the live table equal to the replay. The clerical entry types are written out
here as they stood when this migration was written.
"""

import uuid
from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0012_case_version"
down_revision: str | None = "0011_calendar_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOT_COUNTED = (
    "case:case:registered",
    "case:deadlines:revised",
    "case:decision:published",
    "case:publication:withdrawn",
    "case:personal_data:erased",
    "case:personal_data:disclosed",
)


def upgrade() -> None:
    op.add_column("cases", sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))
    connection = op.get_bind()
    entries = sa.table("ledger_entries", sa.column("stream", sa.String()), sa.column("type", sa.String()))
    counted: Counter[uuid.UUID] = Counter()
    for stream, entry_type in connection.execute(
        sa.select(entries.c.stream, entries.c.type).where(entries.c.stream.like("case:%"))
    ):
        if entry_type not in _NOT_COUNTED:
            counted[uuid.UUID(stream.removeprefix("case:"))] += 1
    cases = sa.table("cases", sa.column("id", sa.Uuid()), sa.column("version", sa.Integer()))
    for case_id, changes in counted.items():
        connection.execute(sa.update(cases).where(cases.c.id == case_id).values(version=1 + changes))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("version")
