"""Learners and the credentials they hold.

Revision ID: 5633a0b284e8
Revises:
Create Date: 2026-11-25 21:36:24

Reviewed by hand: every type is portable (JSON is json on PostgreSQL and text on SQLite,
LargeBinary is bytea / blob), timestamps are timezone-aware (timestamptz on PostgreSQL; the
models store UTC on SQLite), constraints carry the metadata's naming convention so later
revisions can alter them in SQLite's batch mode, and deleting a learner deletes their
credentials in the database itself (ON DELETE CASCADE).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5633a0b284e8"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the users and credentials tables with the portfolio's indexes."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("session_token", sa.String(length=64), nullable=False),
        sa.Column("holder_did", sa.String(length=255), nullable=True),
        sa.Column("holder_key_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("holder_key_nonce", sa.LargeBinary(length=12), nullable=True),
        sa.Column("holder_key_salt", sa.LargeBinary(length=32), nullable=True),
        sa.Column("holder_key_kdf", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("holder_did", name=op.f("uq_users_holder_did")),
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("original", sa.LargeBinary(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("issuer_name", sa.String(length=500), nullable=True),
        sa.Column("issuer_id", sa.Text(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ects", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("image", sa.Text(), nullable=True),
        sa.Column("types", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_credentials_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
        sa.UniqueConstraint("user_id", "sha256", name=op.f("uq_credentials_user_id_sha256")),
    )
    # What the portfolio list sorts and filters by, always within one learner.
    for column in ("imported_at", "issued_at", "issuer_name", "outcome"):
        op.create_index(f"ix_credentials_user_id_{column}", "credentials", ["user_id", column])


def downgrade() -> None:
    """Drop both tables (and so every learner's data)."""
    op.drop_table("credentials")
    op.drop_table("users")
