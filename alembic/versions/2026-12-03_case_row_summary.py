"""What reading a case needs, kept on the rows it reads: its officers' ids, what its registration said of the act's
time, the calendar notices of its agency.

Revision ID: 0024_case_row_summary
Revises: 0023_documents_more
Create Date: 2026-12-03

Reviewed by hand. ``cases.officer_ids`` holds the sorted ids of the case's rows in ``case_officers``, which the
projectors keep together (service/cases/service.py); existing cases get them from that table. ``continued_until``
and ``harms_life_health_or_finance`` are those of the case's registration entry (第三十六条, the time bar), read
here from its canonical bytes. ``agencies.calendar_versions`` (year → version of the State Council notices the
agency's ledger recorded) is read from ``calendar_notices``, projected by the same entries. So verification
still finds the live tables equal to the replay.
"""

import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from alembic import op

revision: str = "0024_case_row_summary"
down_revision: str | None = "0023_documents_more"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("officer_ids", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    connection = op.get_bind()
    assigned = sa.table("case_officers", sa.column("case_id", sa.Uuid()), sa.column("officer_id", sa.Uuid()))
    officers: defaultdict[uuid.UUID, set[str]] = defaultdict(set)
    for case_id, officer_id in connection.execute(sa.select(assigned.c.case_id, assigned.c.officer_id)):
        officers[case_id].add(str(officer_id))
    cases = sa.table("cases", sa.column("id", sa.Uuid()), sa.column("officer_ids", sa.JSON()))
    for case_id, ids in officers.items():
        connection.execute(sa.update(cases).where(cases.c.id == case_id).values(officer_ids=sorted(ids)))

    op.add_column("cases", sa.Column("continued_until", sa.Date(), nullable=True))
    op.add_column(
        "cases",
        sa.Column("harms_life_health_or_finance", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    entries = sa.table("ledger_entries", sa.column("type", sa.String()), sa.column("canonical", sa.LargeBinary()))
    registered = sa.table(
        "cases",
        sa.column("id", sa.Uuid()),
        sa.column("continued_until", sa.Date()),
        sa.column("harms_life_health_or_finance", sa.Boolean()),
    )
    for (canonical,) in connection.execute(
        sa.select(entries.c.canonical).where(entries.c.type == "case:case:registered")
    ):
        body = json.loads(canonical)["body"]
        continued = body.get("continued_until")
        connection.execute(
            sa.update(registered)
            .where(registered.c.id == uuid.UUID(body["case_id"]))
            .values(
                continued_until=date.fromisoformat(continued) if continued else None,
                harms_life_health_or_finance=bool(body.get("harms_life_health_or_finance", False)),
            )
        )

    op.add_column("agencies", sa.Column("calendar_versions", sa.JSON(), server_default=sa.text("'{}'"), nullable=False))
    notices = sa.table(
        "calendar_notices", sa.column("agency_id", sa.Uuid()), sa.column("year", sa.Integer()), sa.column("version")
    )
    versions: defaultdict[uuid.UUID, dict[str, str]] = defaultdict(dict)
    for agency_id, year, version in connection.execute(
        sa.select(notices.c.agency_id, notices.c.year, notices.c.version)
    ):
        versions[agency_id][str(year)] = version
    agencies = sa.table("agencies", sa.column("id", sa.Uuid()), sa.column("calendar_versions", sa.JSON()))
    for agency_id, held in versions.items():
        connection.execute(sa.update(agencies).where(agencies.c.id == agency_id).values(calendar_versions=held))


def downgrade() -> None:
    with op.batch_alter_table("agencies") as batch:
        batch.drop_column("calendar_versions")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("harms_life_health_or_finance")
        batch.drop_column("continued_until")
        batch.drop_column("officer_ids")
