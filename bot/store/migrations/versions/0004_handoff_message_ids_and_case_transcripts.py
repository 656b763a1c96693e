"""handoff message ids and case transcripts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 02:00:00

Ticket lines remember the Rasa message id of a shopper's message, so a message mirrored into a
ticket twice is kept once; a support case keeps the conversation's transcript and the address a
shopper asked to be answered at by e-mail.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_messages") as batch:
        batch.add_column(sa.Column("message_id", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_ticket_message_id", ["ticket_id", "message_id"])
    with op.batch_alter_table("support_cases") as batch:
        batch.add_column(sa.Column("transcript", sa.Text(), nullable=True))
        batch.add_column(sa.Column("reply_email", sa.String(length=254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("support_cases") as batch:
        batch.drop_column("reply_email")
        batch.drop_column("transcript")
    with op.batch_alter_table("ticket_messages") as batch:
        batch.drop_constraint("uq_ticket_message_id", type_="unique")
        batch.drop_column("message_id")
