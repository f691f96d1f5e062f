"""The outbox (e-mails written in the same transaction as the change they report) and the in-app notifications
written beside them."""

from enum import StrEnum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import UUID, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
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


class Notification(Table, tablename="notification"):
    """An in-app notification: one per e-mail event to a user, shown under /notifications until it is read."""

    # A user's notifications are theirs alone: they go with the user (nothing else refers to them).
    recipient = ForeignKey(BaseUser, null=False, on_delete=OnDelete.cascade)
    title = Varchar(length=300, null=False)
    body = Text(null=False)
    link = Varchar(length=500, null=False, help_text="The path of the page where the recipient acts")
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)
