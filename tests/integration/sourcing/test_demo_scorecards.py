"""The demo data gives the vendor scorecards something to say, and shows the privacy rule from both sides."""

from app.accounts import services as accounts
from app.contracts.tables import ContractRating
from app.demo import DEMO_PASSWORD, load_demo_data


async def test_the_demo_vendors_have_scorecards_with_ratings_answers_and_negotiation(api):
    # given the demo data loaded twice
    await load_demo_data()
    await load_demo_data()
    assert await ContractRating.count() == 6
    globex = await accounts.find_company_id("vendor", "Globex Medical Supplies")
    # when Acme's admin reads Globex's scorecard (Northwind and Contoso are the other buyers)
    acme = await (await api("admin@acme.example", DEMO_PASSWORD)).get(f"/api/v1/vendors/{globex}/scorecard")
    assert acme.status_code == 200, acme.text
    across, own = acme.json()["scopes"]
    # then RFQs, answer times, prices, negotiation (Northwind's and Contoso's), contracts and ratings are shown
    # (Acme's own RFQs count across buyers too: with the savings history's 48, Globex was invited to 52 and won 4)
    assert (across["rfqs_invited"], across["rfqs_won"], across["rating_count"]) == (52, 4, 3)
    assert across["rating_average"] == "4.00" and float(across["hours_to_answer"]) > 5
    assert across["negotiated_offers"] == 22 and float(across["negotiation_median"]) < 0
    assert across["price_gap_lines"] >= 6
    # and the orders, which only Contoso placed besides Acme, are withheld; Acme's own are in its own scope
    assert across["withheld"] == ["orders"] and across["orders"] is None and own["orders"] >= 1
    # when Contoso's approver reads it: orders (Acme's alone besides its own) are withheld; negotiation is shown,
    # Acme's history and Northwind's both moved
    contoso = await (await api("approver@contoso.example", DEMO_PASSWORD)).get(f"/api/v1/vendors/{globex}/scorecard")
    assert contoso.json()["scopes"][0]["withheld"] == ["orders"]
