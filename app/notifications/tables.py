"""The outbox: e-mails written in the same transaction as the change they report."""

from enum import StrEnum

from piccolo.columns import UUID, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxEmail(Table, tablename="outbox_email"):
    message_id = UUID(unique=True, help_text="Stable Message-ID, so a resend is recognisable")
    to_address = Varchar(length=254, null=False)
    subject = Varchar(length=300, null=False)
    body_text = Text(null=False)
    status = Varchar(length=20, choices=OutboxStatus, default=OutboxStatus.PENDING.value, index=True)
    attempts = Integer(default=0)
    last_error = Text(default="")
    created_at = Timestamptz(index=True)
    claimed_at = Timestamptz(null=True, default=None)
    next_attempt_at = Timestamptz(null=True, default=None, help_text="When a failed e-mail is due again")
    sent_at = Timestamptz(null=True, default=None)
