"""Clarifications: vendors an RFQ is meant for ask, the buyer answers privately or publishes the question and
answer to every vendor without naming who asked."""

from __future__ import annotations

from app import db
from app.accounts.recipients import addresses_of
from app.accounts.roles import SELLER_ROLES, CompanyKind
from app.auth import Principal
from app.errors import Conflict, InvalidInput, NotFound
from app.notifications.services import queue_email
from app.rfq import access, mail, rules
from app.rfq.access import buyer_actor
from app.rfq.schemas import ClarificationOut
from app.rfq.states import RfqStatus
from app.rfq.tables import RfqClarification


async def ask(principal: Principal, rfq_id: int, question: str) -> ClarificationOut:
    """A vendor asks while bidding is open; the RFQ's author and buyer_admins are told."""
    head = await access.rfq_for_vendor(principal, rfq_id)
    if not principal.has_any_role(SELLER_ROLES):
        raise NotFound("No such RFQ.")
    text = (question or "").strip()
    if not text:
        raise InvalidInput("question must not be blank")
    async with db.transaction():
        head = await access.rfq_for_vendor(principal, rfq_id)
        if head.status is not RfqStatus.PUBLISHED or rules.bidding_over(head.deadline, await db.db_now()):
            raise Conflict("Questions can only be asked while bidding is open.")
        row = RfqClarification(rfq=rfq_id, vendor=principal.company_id, asked_by=principal.user_id, question=text,
                               asked_at=await db.db_now())
        await row.save()
        # The buyer learns which vendor asked (answering needs no more); the text is the vendor's own.
        for address in await mail.buyer_recipients(head):
            await queue_email(
                to=address, subject=f"New question on {head.title}",
                body=f"A vendor asked about \"{head.title}\" ({head.reference}):\n\n{text}\n\nAnswer it here:",
                link=mail.buyer_path(rfq_id),
            )
    return _out(row.to_dict(), principal, None)


async def answer(
    principal: Principal, rfq_id: int, clarification_id: int, text: str, publish: bool
) -> ClarificationOut:
    """The buyer answers once: privately to the asker, or published to every vendor without the asker's name."""
    head = await access.rfq_for_buyer(principal, rfq_id)
    buyer_actor(principal, head)
    text = (text or "").strip()
    if not text:
        raise InvalidInput("answer must not be blank")
    async with db.transaction():
        now = await db.db_now()
        updated = await RfqClarification.update(
            {RfqClarification.answer: text, RfqClarification.answered_at: now,
             RfqClarification.answered_by: principal.user_id, RfqClarification.published: publish}
        ).where(
            (RfqClarification.id == clarification_id) & (RfqClarification.rfq == rfq_id)
            & RfqClarification.answered_at.is_null()
        ).returning(*RfqClarification.all_columns())
        if not updated:
            exists = await RfqClarification.exists().where(
                (RfqClarification.id == clarification_id) & (RfqClarification.rfq == rfq_id)
            )
            if not exists:
                raise NotFound("No such question.")
            raise Conflict("This question is already answered.")
        row = updated[0]
        audience = await mail.audience_of(head) if publish else [row["vendor"]]
        addresses = await addresses_of(audience, SELLER_ROLES)
        subject = f"Clarification on {head.title}"
        body = f"Question: {row['question']}\n\nAnswer: {text}\n\nThe RFQ and all its answers:"
        for vendor_id in sorted(addresses):
            for address in addresses[vendor_id]:
                await queue_email(to=address, subject=subject, body=body, link=mail.vendor_path(rfq_id))
    return _out(row, principal, None)


async def list_for(principal: Principal, rfq_id: int) -> list[ClarificationOut]:
    """The buyer sees every question and who asked; a vendor its own and the published ones, never who asked."""
    if principal.company_kind is CompanyKind.VENDOR:
        await access.rfq_for_vendor(principal, rfq_id)
        rows = await RfqClarification.select(RfqClarification.all_columns()).where(
            (RfqClarification.rfq == rfq_id)
            & ((RfqClarification.vendor == principal.company_id) | (RfqClarification.published.eq(True)))
        ).order_by(RfqClarification.id)
        return [_out(row, principal, None) for row in rows]
    await access.rfq_for_buyer(principal, rfq_id)
    rows = await RfqClarification.select(RfqClarification.all_columns(), RfqClarification.vendor.name).where(
        RfqClarification.rfq == rfq_id
    ).order_by(RfqClarification.id)
    return [_out(row, principal, row["vendor.name"]) for row in rows]


def _out(row: dict, principal: Principal, vendor_name: str | None) -> ClarificationOut:
    mine = principal.company_kind is CompanyKind.VENDOR and row["vendor"] == principal.company_id
    if principal.company_kind is CompanyKind.VENDOR:
        vendor_name = principal.company_name if mine else None
    return ClarificationOut(
        id=row["id"], question=row["question"], asked_at=row["asked_at"],
        answer=row["answer"] or None if row["answered_at"] else None, answered_at=row["answered_at"],
        published=row["published"], mine=mine, vendor_name=vendor_name,
    )


