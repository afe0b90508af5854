"""Cases, the officers assigned to them, evidence and its custody; parties' personal data apart.

Revision ID: 0004_cases
Revises: 0003_catalogue_officers
Create Date: 2026-11-28

Reviewed by hand. ``parties`` holds personal data outside the ledger (which carries salted commitments);
every other table here is a projection of the ledger.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004_cases"
down_revision: str | None = "0003_catalogue_officers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=True),
        sa.Column("procedure", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("item_code", sa.String(length=50), nullable=False),
        sa.Column("catalogue_version", sa.String(length=64), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("party_type", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("fine_fen", sa.BigInteger(), nullable=True),
        sa.Column("file", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_cases_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("number", name=op.f("uq_cases_number")),
    )
    op.create_index(op.f("ix_cases_agency_state"), "cases", ["agency_id", "state"])
    op.create_index(op.f("ix_cases_item_code"), "cases", ["item_code"])

    op.create_table(
        "parties",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("party_type", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("id_number", sa.String(length=50), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("salts", sa.JSON(), nullable=False),
        sa.Column("name_index", sa.LargeBinary(length=32), nullable=True),
        sa.Column("id_number_index", sa.LargeBinary(length=32), nullable=True),
        sa.Column("erased_fields", sa.JSON(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_parties_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
    )
    op.create_index(op.f("ix_parties_agency_id"), "parties", ["agency_id"])
    op.create_index(op.f("ix_parties_id_number_index"), "parties", ["id_number_index"])
    op.create_index(op.f("ix_parties_name_index"), "parties", ["name_index"])

    op.create_table(
        "evidence",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collected_by", sa.JSON(), nullable=False),
        sa.Column("custody", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_evidence_agency_id_agencies")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_evidence_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    op.create_index(op.f("ix_evidence_case_id"), "evidence", ["case_id"])
    op.create_index(op.f("ix_evidence_sha256"), "evidence", ["sha256"])

    op.create_table(
        "case_officers",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("officer_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_case_officers_agency_id_agencies")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_officers_case_id_cases")),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], name=op.f("fk_case_officers_officer_id_officers")),
        sa.PrimaryKeyConstraint("case_id", "officer_id", name=op.f("pk_case_officers")),
    )
    op.create_index(op.f("ix_case_officers_officer_id"), "case_officers", ["officer_id"])

    op.create_table(
        "evidence_custody",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("evidence_id", sa.Uuid(), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_evidence_custody_agency_id_agencies")),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_evidence_custody_evidence_id_evidence")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_custody")),
    )
    op.create_index(op.f("ix_evidence_custody_evidence_id"), "evidence_custody", ["evidence_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_evidence_custody_evidence_id"), table_name="evidence_custody")

    op.drop_table("evidence_custody")
    op.drop_index(op.f("ix_case_officers_officer_id"), table_name="case_officers")

    op.drop_table("case_officers")
    op.drop_index(op.f("ix_evidence_sha256"), table_name="evidence")
    op.drop_index(op.f("ix_evidence_case_id"), table_name="evidence")

    op.drop_table("evidence")
    op.drop_index(op.f("ix_parties_name_index"), table_name="parties")
    op.drop_index(op.f("ix_parties_id_number_index"), table_name="parties")
    op.drop_index(op.f("ix_parties_agency_id"), table_name="parties")

    op.drop_table("parties")
    op.drop_index(op.f("ix_cases_item_code"), table_name="cases")
    op.drop_index(op.f("ix_cases_agency_state"), table_name="cases")

    op.drop_table("cases")
