"""Files a vendor attaches to its offer, sealed like its prices.

They follow the RFQ attachments' rules (app/rfq/attachments.py: the same types, size limit and
storage folder outside the database) and these:

- A file belongs to the offer, not to one revision: revisions stay immutable, files are only
  added, and a file added while revision N was current goes with N and every later revision
  (it is listed with N). A vendor adds files while bidding is open, to its live offer only.
- Sealed: the offer's vendor always sees its own files. The RFQ's buyer sees neither the files
  nor their names before the close (the offer itself is 404 to it then) and downloads them after.
  Another vendor never reaches them: every denial is a 404.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from app import db
from app.accounts.roles import CompanyKind
from app.auth import Principal
from app.errors import Conflict, NotFound
from app.files import Download
from app.offers import store
from app.offers.schemas import OfferAttachmentOut
from app.offers.tables import Offer, OfferAttachment, OfferStatus
from app.rfq import attachments, rules
from app.rfq.access import WhenSealed, buyer_sees_offers, rfq_for_buyer
from app.rfq.states import RfqStatus

MAX_PER_OFFER = 20


def _out(row: dict[str, Any]) -> OfferAttachmentOut:
    return OfferAttachmentOut(
        id=row["id"], offer_id=row["offer"], revision_number=row["revision_number"], filename=row["filename"],
        content_type=row["content_type"], size=row["size"], uploaded_at=row["uploaded_at"],
    )


async def attach(principal: Principal, offer_id: int, filename: str, content: bytes) -> OfferAttachmentOut:
    """Add a file to the caller's live offer while bidding is open (the deadline judged by the database's clock)."""
    row = await store.own_offer_row(principal, offer_id)  # first: to anyone else the offer is missing
    store.require_seller(principal)
    file = attachments.checked(filename, content)
    async with attachments.stored(content) as stored_name, db.transaction():
        rfq = await store.lock_rfq(row["rfq"])
        now = await db.db_now()
        rules.check_bidding_open(RfqStatus(rfq["status"]), rfq["deadline"], now, principal.place)
        # The offer's row locked on PostgreSQL: concurrent uploads count one after the other.
        query = Offer.select(Offer.status, Offer.revision_count).where(Offer.id == offer_id)
        if not db.is_sqlite():
            query = query.lock_rows("UPDATE")
        offer = await query.first()
        if offer is None or offer["status"] != OfferStatus.LIVE.value:
            raise Conflict("This offer was withdrawn: files can only be added to a live offer.")
        if await OfferAttachment.count().where(OfferAttachment.offer == offer_id) >= MAX_PER_OFFER:
            raise Conflict(f"An offer has at most {MAX_PER_OFFER} attachments.")
        attachment = OfferAttachment(
            offer=offer_id, revision_number=offer["revision_count"], filename=file.filename,
            content_type=file.content_type, size=len(content), stored_name=stored_name,
            uploaded_by=principal.user_id, uploaded_at=now,
        )
        await attachment.save()
    return _out(attachment.to_dict())


async def _offer_seen_by(principal: Principal, offer_id: int) -> dict[str, Any]:
    """The offer for its own vendor, or for the RFQ's buyer once prices are revealed; else 404."""
    if principal.company_kind is CompanyKind.VENDOR:
        return await store.own_offer_row(principal, offer_id)
    return await store.offer_for_buyer(principal, offer_id)


async def list_for(principal: Principal, offer_id: int) -> list[OfferAttachmentOut]:
    """The offer's files, oldest first: for its vendor, or the RFQ's buyer after the close."""
    await _offer_seen_by(principal, offer_id)
    rows = await OfferAttachment.select().where(OfferAttachment.offer == offer_id).order_by(OfferAttachment.id)
    return [_out(row) for row in rows]


async def download(principal: Principal, offer_id: int, attachment_id: int) -> Download:
    """One file of the offer, for those `list_for` lets see it; else 404."""
    await _offer_seen_by(principal, offer_id)
    row = await OfferAttachment.select().where(
        (OfferAttachment.id == attachment_id) & (OfferAttachment.offer == offer_id)
    ).first()
    if row is None:
        raise NotFound("No such attachment.")
    return attachments.stored_download(row, "This attachment's file is missing; ask the vendor to attach it again.")


async def files_by_offer(principal: Principal, rfq_id: int) -> dict[int, list[OfferAttachmentOut]]:
    """The files of every live offer on the caller's RFQ, by offer id; empty while the offers are sealed."""
    head = await rfq_for_buyer(principal, rfq_id)
    if not buyer_sees_offers(head, WhenSealed.HIDE):
        return {}
    rows = await OfferAttachment.select().where(
        (OfferAttachment.offer.rfq == rfq_id) & (OfferAttachment.offer.status == OfferStatus.LIVE.value)
    ).order_by(OfferAttachment.id)
    files: dict[int, list[OfferAttachmentOut]] = defaultdict(list)
    for row in rows:
        files[row["offer"]].append(_out(row))
    return dict(files)
