"""Who may see an RFQ's scenarios and scores: the one check both use."""

from __future__ import annotations

from app.auth import Principal
from app.errors import NotFound
from app.rfq.access import NO_SUCH_RFQ, RfqHead, rfq_for_buyer
from app.rfq.states import prices_revealed


async def scenario_rfq(principal: Principal, rfq_id: int) -> RfqHead:
    """The RFQ if the caller may see its offers now: its buyer company (and those who oversee it) after the close.
    A vendor, another company, and anyone before the close get what a missing RFQ gets."""
    head = await rfq_for_buyer(principal, rfq_id)
    if not prices_revealed(head.status):
        raise NotFound(NO_SUCH_RFQ)
    return head
