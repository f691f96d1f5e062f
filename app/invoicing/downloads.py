"""An invoice's PDF as a download, for the API and the pages alike; rendered off the event loop (fpdf2 is CPU)."""

from __future__ import annotations

from anyio import to_thread
from litestar import Response

from app.auth import Principal
from app.files import bytes_response
from app.invoicing import documents, views

PDF = "application/pdf"


async def invoice_pdf(principal: Principal, invoice_id: int) -> Response[bytes]:
    """The invoice's PDF if the caller may see it, else the 404 of a missing invoice."""
    invoice = await views.get_invoice(principal, invoice_id)
    content = await to_thread.run_sync(documents.invoice_pdf, invoice, principal.place)
    return bytes_response(content, PDF, f"invoice-{invoice.invoice.number}.pdf")
