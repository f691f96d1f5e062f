"""The offers' pages as rendered again after a form: the vendor's RFQ page and the buyer's comparison page, each with
the error a form brought back (the controllers here and the award's in app/contracts/controllers.py use them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from litestar.response import Template

from app.accounts.roles import AWARDER_ROLES
from app.auth import Principal
from app.errors import DomainError
from app.forms import errors_by_field, max_lengths
from app.money import amount_input
from app.offers import offer_attachments, services, thread
from app.offers.schemas import DeclineIn, OfferIn
from app.rfq import attachments
from app.rfq.schemas import QuestionIn
from app.rfq.states import RfqStatus

# The limits the vendor's page shows beside its text fields, read from the schemas that check them.
LIMITS = max_lengths(OfferIn) | max_lengths(QuestionIn) | {"decline_reason": max_lengths(DeclineIn)["reason"]}


async def vendor_page(principal: Principal, rfq_id: int, error: DomainError | None = None,
                       form: dict[str, str] | None = None, field: str = "form") -> Template:
    """The vendor's RFQ page; after a refusal, the reason beside `field` (or the fields it names) and `form` as
    typed."""
    rfq = await services.rfq_for_seller(principal, rfq_id)
    latest = rfq.offer.revisions[-1] if rfq.offer and rfq.offer.revisions else None
    # The current revision fills the offer's form; what a form brought back (an offer, a question) wins over it.
    current: dict[str, str] = {}
    if latest is not None:
        current = {f"price_{line.rfq_line_id}": amount_input(line.unit_price, principal.locale)
                   for line in latest.lines}
        current |= {f"quantity_{line.rfq_line_id}": str(line.quantity) for line in latest.lines}
        current |= {"lead_time_days": str(latest.lead_time_days), "notes": latest.notes, "currency": latest.currency,
                    "payment_terms_days": str(latest.payment_terms_days),
                    "valid_until": latest.valid_until.date().isoformat() if latest.valid_until else ""}
    form = current | (form or {})
    files = await offer_attachments.list_for(principal, rfq.offer.id) if rfq.offer else []
    negotiation_view = {
        "entries": thread.timeline(rfq.offer, rfq.proposals, files) if rfq.offer else [], "currency": rfq.currency,
        "line_names": {line.id: f"{line.position}. {line.description}" for line in rfq.lines}, "offer_files": files,
    }
    return Template(
        template_name="offers/vendor_rfq.html",
        context={"rfq": rfq, "form": form or {}, "errors": errors_by_field(error, field),
                 "attach_max_bytes": attachments.MAX_BYTES, "limits": LIMITS, **negotiation_view},
        status_code=error.status_code if error else 200,
    )


@dataclass(frozen=True, slots=True)
class Section:
    """A part of the comparison page that an area above offers renders: its template gets it as `section`."""

    template: str
    data: dict[str, Any] = field(default_factory=dict)


# The comparison page is rendered here, but some of what it shows is computed by areas above offers (sourcing's
# weighted scores), which may import offers and not the other way round: they register a loader once, at startup
# (app.asgi), called after the close only.
SectionLoader = Callable[[Principal, int], Awaitable[Section | None]]
_SECTION_LOADERS: list[SectionLoader] = []


def add_comparison_section(loader: SectionLoader) -> None:
    if loader not in _SECTION_LOADERS:
        _SECTION_LOADERS.append(loader)


async def comparison_sections(principal: Principal, rfq_id: int) -> list[Section]:
    found = [await loader(principal, rfq_id) for loader in _SECTION_LOADERS]
    return [section for section in found if section is not None]


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
            "sections": [] if offers.sealed else await comparison_sections(principal, rfq_id),
            "errors": errors_by_field(error),
        },
        status_code=error.status_code if error else 200,
    )
