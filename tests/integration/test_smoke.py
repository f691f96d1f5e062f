async def test_buyer_logs_in_and_sees_the_buyer_dashboard(world, browser):
    # given a buyer admin signed in through the login form
    client = await browser(world.buyer_admin)
    # when they open the dashboard
    page = await client.get("/dashboard")
    # then it is the buyer dashboard of their company
    assert page.status_code == 200
    assert "Buyer dashboard" in page.text
    assert world.buyer.name in page.text
