"""What the approval endpoints take and return."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from app.orders.order_schemas import Reason


class ApprovalDecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    """An approval given or refused, or a withdrawal; a refusal needs a comment the requester reads."""

    comment: Reason = ""


class ApprovalStepOut(msgspec.Struct):
    position: int
    level: int
    reason: str
    status: Annotated[str, msgspec.Meta(description="pending, approved or rejected")]
    approver_role: str | None
    approver_user_ids: list[int]
    decided_by: int | None
    comment: str


class ApprovalOut(msgspec.Struct):
    """An order waiting for an approval you may give now."""

    order_id: Annotated[int, msgspec.Meta(description="One of its purchase orders: approve or reject it by this id")]
    group_number: str
    po_number: str
    requester_id: int | None
    submitted_at: datetime
    expires_at: datetime
    net: Annotated[dict[str, str], msgspec.Meta(description="Net amount per currency, as decimal strings")]
    steps: list[ApprovalStepOut]
