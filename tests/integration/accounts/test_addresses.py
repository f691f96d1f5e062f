"""A buyer company's addresses over the API: admins keep them, one default of each kind, everyone else is refused."""

from __future__ import annotations

import asyncio

import pytest

from app.accounts.tables import CompanyAddress
from tests.support.accounts import address_body, an_address
from tests.support.fixtures import make_company, make_user


@pytest.fixture
async def admin(world, api):
    return await api(world.buyer_admin)


async def created(client, kind="delivery", **overrides):
    response = await client.post("/api/v1/addresses", json=address_body(kind, **overrides))
    assert response.status_code == 201, response.text
    return response.json()


async def defaults(company_id: int) -> dict[str, list[int]]:
    rows = await CompanyAddress.select(CompanyAddress.id, CompanyAddress.kind).where(
        (CompanyAddress.company == company_id) & (CompanyAddress.is_default == True)  # noqa: E712
    )
    found: dict[str, list[int]] = {}
    for row in rows:
        found.setdefault(row["kind"], []).append(row["id"])
    return found


async def test_the_first_address_of_each_kind_is_its_default(world, admin):
    # when an admin adds two delivery addresses and a billing address
    first = await created(admin, "delivery", label="Warehouse")
    second = await created(admin, "delivery", label="Lab")
    billing = await created(admin, "billing")
    # then the first of each kind is the default, and the list shows defaults first
    assert first["is_default"] and billing["is_default"] and not second["is_default"]
    assert first["company_id"] == world.buyer.id and first["country"] == "DE"
    listed = (await admin.get("/api/v1/addresses", params={"kind": "delivery"})).json()
    assert [a["id"] for a in listed] == [first["id"], second["id"]]
    assert await defaults(world.buyer.id) == {"delivery": [first["id"]], "billing": [billing["id"]]}


async def test_making_another_address_the_default_moves_it(world, admin):
    # given two delivery addresses
    first = await created(admin, label="Warehouse")
    second = await created(admin, label="Lab")
    # when the second becomes the default
    response = await admin.patch(f"/api/v1/addresses/{second['id']}", json={"is_default": True})
    # then it is the only one
    assert response.status_code == 200, response.text
    assert response.json()["is_default"]
    assert not (await admin.get(f"/api/v1/addresses/{first['id']}")).json()["is_default"]
    assert await defaults(world.buyer.id) == {"delivery": [second["id"]]}


async def test_a_new_address_asked_to_be_the_default_takes_it(world, admin):
    first = await created(admin)
    second = await created(admin, is_default=True)
    assert second["is_default"]
    assert await defaults(world.buyer.id) == {"delivery": [second["id"]]}
    assert not (await admin.get(f"/api/v1/addresses/{first['id']}")).json()["is_default"]


async def test_the_default_cannot_just_be_switched_off(admin):
    only = await created(admin)
    response = await admin.patch(f"/api/v1/addresses/{only['id']}", json={"is_default": False})
    assert response.status_code == 409, response.text
    assert "another address the default" in response.json()["detail"]


async def test_concurrent_make_default_calls_leave_exactly_one_default(world, admin):
    # given ten delivery addresses
    ids = [(await created(admin, label=f"Site {n}"))["id"] for n in range(10)]
    # when all of them are made the default at once
    responses = await asyncio.gather(
        *(admin.patch(f"/api/v1/addresses/{address_id}", json={"is_default": True}) for address_id in ids)
    )
    # then every call succeeded and exactly one is the default
    assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
    found = await defaults(world.buyer.id)
    assert len(found["delivery"]) == 1 and found["delivery"][0] in ids


async def test_the_database_refuses_a_second_default(world):
    # given a default delivery address
    await an_address(world.buyer.id)
    # when a second default is written past the services, then the partial unique index refuses it
    with pytest.raises(Exception, match=r"(?i)unique"):
        await CompanyAddress.insert(CompanyAddress(
            company=world.buyer.id, kind="delivery", recipient="X", street="Y", postal_code="1", city="Z",
            country="DE", is_default=True,
        ))


async def test_an_edit_changes_only_the_fields_sent(admin):
    address = await created(admin, label="Warehouse")
    response = await admin.patch(f"/api/v1/addresses/{address['id']}", json={"city": "Potsdam", "country": "de"})
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["city"], changed["country"], changed["label"]) == ("Potsdam", "DE", "Warehouse")
    assert changed["updated_at"] >= address["updated_at"]


async def test_a_purchaser_reads_but_cannot_write(world, admin, api):
    # given an address of the purchaser's company
    address = await created(admin)
    purchaser = await api(world.purchaser)
    # then the purchaser reads it
    assert (await purchaser.get(f"/api/v1/addresses/{address['id']}")).status_code == 200
    assert [a["id"] for a in (await purchaser.get("/api/v1/addresses")).json()] == [address["id"]]
    # but cannot add, change or archive one
    for response in (
        await purchaser.post("/api/v1/addresses", json=address_body()),
        await purchaser.patch(f"/api/v1/addresses/{address['id']}", json={"city": "Potsdam"}),
        await purchaser.delete(f"/api/v1/addresses/{address['id']}"),
    ):
        assert response.status_code == 403, response.text
        assert "admin" in response.json()["detail"]


@pytest.mark.parametrize("who", ["other_buyer_admin", "vendor_admin"])
async def test_another_company_gets_the_answer_of_a_missing_id(world, admin, api, who):
    # given an address of the buyer company
    address = await created(admin)
    stranger = await api(getattr(world, who))
    for method, body in (("GET", None), ("PATCH", {"city": "Potsdam"}), ("DELETE", None)):
        # when a stranger calls it, and a missing id
        real = await stranger.request(method, f"/api/v1/addresses/{address['id']}", json=body)
        missing = await stranger.request(method, "/api/v1/addresses/2147483000", json=body)
        # then both answers are the same 404
        assert real.status_code == missing.status_code == 404, (method, real.text)
        assert real.json() == missing.json() == {"detail": "No such address."}
    assert (await stranger.get("/api/v1/addresses")).json() == []
    assert (await admin.get(f"/api/v1/addresses/{address['id']}")).json()["city"] == "Berlin"


async def test_vendors_and_operators_cannot_add_addresses(world, api):
    for email in (world.vendor_admin, world.operator):
        response = await (await api(email)).post("/api/v1/addresses", json=address_body())
        assert response.status_code == 403, response.text


async def test_an_operator_reads_every_company_address(world, admin, api):
    address = await created(admin)
    operator = await api(world.operator)
    assert (await operator.get(f"/api/v1/addresses/{address['id']}")).status_code == 200
    listed = (await operator.get("/api/v1/addresses", params={"company_id": world.buyer.id})).json()
    assert [a["id"] for a in listed] == [address["id"]]


async def test_a_group_admin_reads_a_subsidiary_address_but_only_its_admin_writes(world, api):
    # given a subsidiary of the buyer company with an address
    subsidiary = await make_company("buyer", parent_id=world.buyer.id)
    address = await an_address(subsidiary.id)
    group_admin = await api(world.buyer_admin)
    # then the group's admin reads it, and is refused a change
    assert (await group_admin.get(f"/api/v1/addresses/{address.id}")).status_code == 200
    refused = await group_admin.patch(f"/api/v1/addresses/{address.id}", json={"city": "Potsdam"})
    assert refused.status_code == 403, refused.text
    # while the subsidiary's own admin may
    own_admin = await api(await make_user(subsidiary.id, "buyer_admin"))
    assert (await own_admin.patch(f"/api/v1/addresses/{address.id}", json={"city": "Potsdam"})).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"country": "Germany"}, "country"),
        ({"country": "D1"}, "country"),
        ({"postal_code": "   "}, "postal_code"),
        ({"postal_code": ""}, "postal_code"),
        ({"street": "x" * 201}, "street"),
        ({"phone": "call reception"}, "phone"),
        ({"kind": "shipping"}, "kind"),
        ({"city": "Berlin\nMitte"}, "city"),
    ],
)
async def test_an_invalid_address_is_a_400_that_names_the_field(world, admin, overrides, field):
    response = await admin.post("/api/v1/addresses", json=address_body(**overrides))
    assert response.status_code == 400, response.text
    assert field in response.json()["detail"], response.json()
    assert await CompanyAddress.count().where(CompanyAddress.company == world.buyer.id) == 0


async def test_a_missing_required_field_is_a_400_that_names_it(admin):
    body = address_body()
    del body["recipient"]
    response = await admin.post("/api/v1/addresses", json=body)
    assert response.status_code == 400, response.text
    assert "recipient" in response.json()["detail"]


async def test_an_invalid_edit_is_a_400_that_names_the_field(admin):
    address = await created(admin)
    response = await admin.patch(f"/api/v1/addresses/{address['id']}", json={"country": "XYZ"})
    assert response.status_code == 400, response.text
    assert "country" in response.json()["detail"]


async def test_an_archived_address_leaves_the_lists_but_stays_readable(world, admin, api):
    # given the default delivery address and another one
    first = await created(admin, label="Warehouse")
    second = await created(admin, label="Lab")
    # when the default is archived
    response = await admin.delete(f"/api/v1/addresses/{first['id']}")
    assert response.status_code == 204, response.text
    # then it is gone from the list, the other one inherits the default
    listed = (await admin.get("/api/v1/addresses")).json()
    assert [(a["id"], a["is_default"]) for a in listed] == [(second["id"], True)]
    # and the company still reads the archived one by id, which can no longer change
    purchaser = await api(world.purchaser)
    archived = (await purchaser.get(f"/api/v1/addresses/{first['id']}")).json()
    assert archived["archived_at"] is not None and not archived["is_default"]
    refused = await admin.patch(f"/api/v1/addresses/{first['id']}", json={"is_default": True})
    assert refused.status_code == 409, refused.text
    # archiving twice changes nothing
    assert (await admin.delete(f"/api/v1/addresses/{first['id']}")).status_code == 204
    assert await CompanyAddress.count() == 2
