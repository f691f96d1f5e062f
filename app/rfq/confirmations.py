"""What publishing an RFQ does, said on its confirmation page before it is done (publishing cannot be undone: the
vendors are told, and the lines and invitations can no longer be edited)."""

from __future__ import annotations

from app.clock import format_moment
from app.forms import Confirmation
from app.locales import Place
from app.rfq.schemas import RfqOut

SHOWN_LINES = 20  # a longer RFQ's summary names its first lines and counts the rest
CONFIRM_PUBLISH = "Publishing was not confirmed: use “Publish…” and confirm on the page it shows."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def publish_confirmation(rfq: RfqOut, place: Place) -> Confirmation:
    """The summary of a draft about to be published, in the reader's zone and words."""
    name = f"“{rfq.title}”" + (f" ({rfq.number})" if rfq.number else "")
    if rfq.visibility == "open":
        audience = "Every vendor your segment may buy from can see it and send an offer"
        if rfq.invitations:
            audience += f"; {_plural(len(rfq.invitations), 'invited vendor')} are told by e-mail"
    else:
        names = ", ".join(invitation.vendor_name for invitation in rfq.invitations)
        audience = f"Only the invited vendors see it, and each is told by e-mail: {names}"
    mode = "a live reverse auction" if rfq.bidding_mode == "auction" else "sealed offers, opened at the close"
    return Confirmation(
        title=f"Publish {name}?",
        items=[f"Line {line.position}: {line.quantity} {line.unit} — {line.description}"
               for line in rfq.lines[:SHOWN_LINES]]
        + ([f"… and {_plural(len(rfq.lines) - SHOWN_LINES, 'more line')}"] if len(rfq.lines) > SHOWN_LINES else []),
        facts=[
            f"{_plural(len(rfq.lines), 'line')} in {rfq.currency}, bid as {mode}.",
            audience + ".",
            f"Bidding closes {format_moment(rfq.deadline, place.time_zone, place.locale)}.",
            "This cannot be undone: once published, its lines cannot be edited; you can still extend the deadline, "
            "invite more vendors, close early or cancel.",
        ],
        action=f"/rfqs/{rfq.id}/publish",
        yes="Yes, publish and tell the vendors",
        back=f"/rfqs/{rfq.id}",
        no="No, keep the draft",
        danger=False,
    )
