"""throttle events and console audit

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 11:00:00

Failed verifications (and other attempts worth limiting) are counted in the database, so no new
conversation, restart or replica resets them; the agent console keeps an audit log.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "throttle_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(length=30), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("throttled", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_throttle_events_created_at", "throttle_events", ["created_at"])
    op.create_index(
        "ix_throttle_events_scope_key", "throttle_events", ["scope", "key_hash", "created_at"]
    )
    op.create_table(
        "console_audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agents.id"), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_console_audit_agent_id", "console_audit", ["agent_id"])
    op.create_index("ix_console_audit_ticket_id", "console_audit", ["ticket_id"])
    op.create_index("ix_console_audit_created_at", "console_audit", ["created_at"])


def downgrade() -> None:
    op.drop_table("console_audit")
    op.drop_table("throttle_events")
