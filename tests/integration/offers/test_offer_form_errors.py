"""The vendor's offer form tells every error at once, each next to its field, in the page's words (line positions
and descriptions, never database ids), keeping what was typed; the API's text names JSON fields and positions."""

import re

from app.offers.tables import Offer
from tests.support.fixtures import csrf_token
from tests.support.offers import make_rfq
from tests.support.pages import main_of


def _field_error(html: str, field: str) -> str:
    """The error shown right after the field's input (its aria-describedby target)."""
    found = re.search(rf'id="{field}"[^>]*aria-describedby="{field}-error"[^>]*>\s*'
                      rf'<p id="{field}-error" class="field-error">([^<]*)</p>', html)
    assert found, f"no error next to {field}"
    return found.group(1)


async def test_every_wrong_line_is_told_next_to_its_field_in_the_pages_words(bidding, browser):
    seller = await browser(bidding.seller_a)
    url = f"/vendor/rfqs/{bidding.rfq_id}"
    page = await seller.get(url)
    first, second, _ = bidding.lines
    # when the vendor sends a negative price for line 1 and more masks than asked on line 2
    form = {"_csrf_token": csrf_token(page.text), f"price_{first}": "-3.5", f"price_{second}": "0.48",
            f"quantity_{second}": "600", "lead_time_days": "9", "notes": "Palletised"}
    response = await seller.post(f"{url}/offer", data=form)
    # then both are told, each next to its field, naming the line as the page does
    assert response.status_code == 400
    html = main_of(response.text)
    assert _field_error(html, f"price_{first}") == "Line 1 (Nitrile gloves M): the unit price must be more than zero."
    assert _field_error(html, f"quantity_{second}") == (
        "Line 2 (FFP2 masks): the quantity 600 is more than the 500 asked; offer at most that.")
    assert "2 things to correct" in html
    # and no code words nor database ids, and every value typed is still there
    assert "rfq_line_id" not in html and "unit_price" not in html and "lines[" not in html
    assert 'value="-3.5"' in html and 'value="600"' in html and ">Palletised</textarea>" in html
    assert await Offer.count() == 0


async def test_the_fields_the_form_cannot_read_are_all_told_at_once(bidding, browser):
    seller = await browser(bidding.seller_a)
    url = f"/vendor/rfqs/{bidding.rfq_id}"
    page = await seller.get(url)
    first = bidding.lines[0]
    # when the quantity, the lead time and the date are all unreadable
    response = await seller.post(f"{url}/offer", data={
        "_csrf_token": csrf_token(page.text), f"price_{first}": "0.09", f"quantity_{first}": "ten",
        "lead_time_days": "soon", "valid_until": "next week"})
    # then each is told next to its field
    assert response.status_code == 400
    html = main_of(response.text)
    assert _field_error(html, f"quantity_{first}") == (
        "Line 1 (Nitrile gloves M): the quantity offered must be a whole number.")
    assert _field_error(html, "lead_time_days") == "The lead time is a whole number of days."
    assert _field_error(html, "valid_until") == "Valid until is a date like 2027-01-31."
    assert 'value="ten"' in html and 'value="soon"' in html


async def test_the_api_names_json_fields_and_line_positions_never_database_ids(bidding, api, world):
    # given a second RFQ, whose line ids are not its line numbers
    rfq_id, (first, second) = await make_rfq(world.buyer.id, [bidding.vendor_a], lines=[
        ("Nitrile gloves L", 1000, None), ("Face shields", 20, None)])
    assert second != 2
    # when an API client sends a zero price for line 2
    response = await (await api(bidding.seller_a)).post(f"/api/v1/rfqs/{rfq_id}/offers", json={
        "lines": [{"rfq_line_id": first, "unit_price": "0.09"}, {"rfq_line_id": second, "unit_price": "0"}],
        "lead_time_days": 3})
    # then the text names the JSON field and the line's position, not its database id
    assert response.status_code == 400
    assert response.json()["detail"] == "lines[2] (line 2): unit_price must be more than zero."
