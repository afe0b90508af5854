"""An agency's officers' version: how many entries its officers' streams hold, kept on its row.

Revision ID: 0029_agency_officers_version
Revises: 0028_case_documents_issued
Create Date: 2026-12-05

Reviewed by hand. ``agencies.officers_version`` counts the entries of the agency's ``officer:<id>`` streams — every
registration, activation, certificate issued or changed — as the observer of those entries now does
(service/officers/service.py, ``_officers_changed``); a step compares it with the version of the officers its worker
keeps, and reads them again only when it moved. Existing agencies get what the observer would have given them, so
that verification still finds the live tables equal to the replay. The downgrade drops the column.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0029_agency_officers_version"
down_revision: str | None = "0028_case_documents_issued"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("officers_version", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.execute(
        "UPDATE agencies SET officers_version = (SELECT count(*) FROM ledger_entries "
        "WHERE ledger_entries.agency_id = agencies.id AND ledger_entries.stream LIKE 'officer:%')"
    )


def downgrade() -> None:
    with op.batch_alter_table("agencies") as batch:
        batch.drop_column("officers_version")
