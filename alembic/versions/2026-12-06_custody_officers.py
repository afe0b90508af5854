"""The officers who handled each link of an evidence's chain of custody, kept on its row.

Revision ID: 0030_custody_officers
Revises: 0029_agency_officers_version
Create Date: 2026-12-06

Reviewed by hand. ``evidence_custody.officers`` lists the officers (ids) of each link, as the projectors now keep
them (service/evidence/service.py): a collection's from its entry's ``officers`` — the evidence row's
``collected_by`` already holds them, and existing ``collected`` links are given that list —, a custody change's
from its entry, which names them from now on (evidence returned or destroyed is handled by at least two qualified
officers, 行政处罚法 第四十二条). Changes recorded before name none, and keep the empty list, as their replay gives
them: verification still finds the live tables equal to the replay. The downgrade drops the column.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0030_custody_officers"
down_revision: str | None = "0029_agency_officers_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_custody") as batch:
        batch.add_column(sa.Column("officers", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    op.execute(
        "UPDATE evidence_custody SET officers = (SELECT evidence.collected_by FROM evidence "
        "WHERE evidence.id = evidence_custody.evidence_id) WHERE event = 'collected'"
    )


def downgrade() -> None:
    with op.batch_alter_table("evidence_custody") as batch:
        batch.drop_column("officers")
