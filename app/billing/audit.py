"""The billing audit: who changed a company's credit limit or payment terms, when, before and after; and each order
let past a limit. Written in the same unit of work as the change; read-only in the back office."""

from __future__ import annotations

import json
from typing import Any

from app.billing.tables import BillingAudit
from app.clock import utcnow

CREDIT_LIMIT = "credit_limit"
PAYMENT_TERMS = "payment_terms"
CREDIT_EXCEEDED = "credit_exceeded"


async def record(company_id: int, kind: str, actor_id: int | None, *, before: dict[str, Any] | None,
                 after: dict[str, Any] | None) -> None:
    await BillingAudit.insert(BillingAudit(
        company=company_id, kind=kind, actor=actor_id, at=utcnow(),
        before=json.dumps(before, sort_keys=True) if before is not None else "",
        after=json.dumps(after, sort_keys=True) if after is not None else "",
    ))
