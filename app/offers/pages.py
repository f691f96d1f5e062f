"""The offers' pages as rendered again after a form: the vendor's RFQ page and the buyer's comparison page, each with
the error a form brought back (the controllers here and the award's in app/contracts/controllers.py use them)."""

from __future__ import annotations

from litestar.response import Template

from app.accounts.roles import AWARDER_ROLES
from app.auth import Principal
from app.errors import DomainError, FieldErrors
from app.offers import offer_attachments, services, thread
from app.rfq import attachments
from app.rfq.states import RfqStatus


async def vendor_page(principal: Principal, rfq_id: int, error: DomainError | None = None,
                       form: dict[str, str] | None = None) -> Template:
    rfq = await services.rfq_for_seller(principal, rfq_id)
    latest = rfq.offer.revisions[-1] if rfq.offer and rfq.offer.revisions else None
    # The current revision fills the offer's form; what a form brought back (an offer, a question) wins over it.
    current: dict[str, str] = {}
    if latest is not None:
        current = {f"price_{line.rfq_line_id}": str(line.unit_price) for line in latest.lines}
        current |= {f"quantity_{line.rfq_line_id}": str(line.quantity) for line in latest.lines}
        current |= {"lead_time_days": str(latest.lead_time_days), "notes": latest.notes,
                    "valid_until": latest.valid_until.date().isoformat() if latest.valid_until else ""}
    form = current | (form or {})
    files = await offer_attachments.list_for(principal, rfq.offer.id) if rfq.offer else []
    negotiation_view = {
        "entries": thread.timeline(rfq.offer, rfq.proposals, files) if rfq.offer else [], "currency": rfq.currency,
        "line_names": {line.id: f"{line.position}. {line.description}" for line in rfq.lines}, "offer_files": files,
    }
    # Errors by field go next to their fields (and the whole form's at the top); any other error at the top.
    errors = error.fields if isinstance(error, FieldErrors) else {}
    return Template(
        template_name="offers/vendor_rfq.html",
        context={"rfq": rfq, "form": form or {}, "errors": errors, "attach_max_bytes": attachments.MAX_BYTES,
                 "error": error.message if error and not errors else None, **negotiation_view},
        status_code=error.status_code if error else 200,
    )


async def comparison_page(principal: Principal, rfq_id: int, error: DomainError | None = None) -> Template:
    offers = await services.offers_for_buyer(principal, rfq_id)
    matrix = None if offers.sealed else await services.comparison_out(principal, rfq_id)
    awards = await services.awards_of(rfq_id, RfqStatus(offers.status)) if offers.status == "awarded" else None
    return Template(
        template_name="offers/comparison.html",
        context={
            "offers": offers, "matrix": matrix, "awards": awards,
            "files": await offer_attachments.files_by_offer(principal, rfq_id),
            "can_award": offers.status == "closed" and principal.has_any_role(AWARDER_ROLES),
            "error": error.message if error else None,
        },
        status_code=error.status_code if error else 200,
    )
