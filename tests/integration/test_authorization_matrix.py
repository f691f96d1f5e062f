"""Whoever may not see an object gets exactly the answer a missing one gets: the same status and the same body.

The operations come from the app's OpenAPI document as a client reads it: every operation with an id in its
path. One buyer company and one vendor own an object of every kind (tests/support/parties.py). Every user of
every tenant that is no party to an operation's object calls it with the real ids, then with ids that do not
exist (each one alone, then together), with the same body; the answers must be equal. Where the path nests
an object in another and the stranger has one of its own of the outer kind (its own RFQ, offer, contract), it
also calls the path with its own outer object and our inner one. Operators oversee the market: they must see
what they read. A new operation is checked the day it is added, or this fails until its path parameter is
mapped to a kind of object below or the operation is put in SKIPPED with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from itertools import combinations
from typing import Any

import httpx
import pytest

from app.clock import utcnow
from tests.support.fixtures import PASSWORD
from tests.support.offers import offer_body
from tests.support.parties import OTHER_BUYER, OUTSIDER, RIVAL, TEXT_FILE, Marketplace, a_marketplace

MISSING = 2_147_483_000  # an id no table reaches in a test, inside every id column's range
METHODS = ("get", "put", "post", "patch", "delete")

# Path parameter -> the kind of object it names (tests/support/parties.py builds one of each kind). An
# attachment is the RFQ's or the offer's, by the collection the path starts with; an amendment is numbered
# within its contract.
KIND_OF = {
    "company_id": "company", "address_id": "address", "user_id": "user", "vendor_id": "vendor",
    "product_id": "product", "listing_id": "listing", "segment_id": "segment", "rule_id": "rule",
    "price_list_id": "price list", "import_id": "import", "rfq_id": "rfq", "clarification_id": "clarification",
    "offer_id": "offer", "proposal_id": "counter-proposal", "contract_id": "contract", "line_id": "contract line",
    "number": "amendment", "order_id": "order", "list_id": "requisition list", "notification_id": "notification",
    "scenario_id": "award scenario", "budget_id": "budget", "approval_rule_id": "approval rule",
    "invoice_id": "invoice",
}
ATTACHMENT_OF = {"/api/v1/rfqs/": "rfq attachment", "/api/v1/offers/": "offer attachment"}
# A line is a contract's, except under the cart, where it is a line of the buyer's (purchaser's) own cart, and
# under a requisition list, where it is a line of that list (the purchaser's).
LINE_OF = {"/api/v1/cart/": "cart line", "/api/v1/requisition-lists/": "requisition list line",
           "/api/v1/on-behalf/": "cart line"}  # a line of the buyer user's cart, worked on for it (#14)

# The kinds of object each tenant is a party to; it is a stranger to every other one.
PARTY_TO: dict[str, frozenset[str]] = {
    OTHER_BUYER: frozenset(),  # another buyer company: its segment hides even the listed product
    RIVAL: frozenset({"rfq", "rfq attachment"}),  # invited to the RFQ, answered it with its own offer
    OUTSIDER: frozenset(),  # invited to the other buyer's RFQ only
}

# Operations a tenant may call on our objects although it is no party to them, each tenant with its reason (what it
# gets instead is tested where the operation is).
SEEN_BY: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/api/v1/vendors/{vendor_id}/scorecard"): {
        OTHER_BUYER: "any buyer reads the scorecard of a vendor its segment shows: figures across buyers, withheld "
                     "where one other buyer would show, and its own history (tests/integration/sourcing/"
                     "test_scorecards.py); vendors other than the vendor itself get the 404 checked here"},
}

# Operations with an id in their path that are not checked, each with its reason. Empty: every one is.
SKIPPED: dict[tuple[str, str], str] = {}

# GET operations an operator does not see, each with its reason (it sees everything else it reads).
NOT_FOR_OPERATORS: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/listings/{listing_id}"): "the vendor portal: a vendor's own listings (operators: curation)",
    ("GET", "/api/v1/jobs/{import_id}"): "the vendor portal: a vendor's own feed imports",
    ("GET", "/api/v1/jobs/{import_id}/errors.csv"): "the vendor portal: a vendor's own feed imports",
    ("GET", "/api/v1/offers/{offer_id}"): "a vendor's own offer (buyers and operators: negotiation, comparison)",
    ("GET", "/api/v1/rfqs/{rfq_id}/auction"): "the RFQ built is sealed-bid: no auction view (a 404 that says so)",
    ("GET", "/api/v1/rfqs/{rfq_id}/auction/stream"): "the RFQ built is sealed-bid: no auction view",
    ("GET", "/api/v1/requisition-lists/{list_id}"): "a buyer user's own list, or its company's shared one",
    ("GET", "/api/v1/requisition-lists/{list_id}/export.xlsx"): "a buyer user's own list, or its company's shared one",
    ("GET", "/api/v1/spending-limits/{user_id}"): "a buyer company's own spending controls, kept by its admins",
}


# --- the operations -----------------------------------------------------------------------------


class Operation:
    def __init__(self, method: str, path: str, spec: dict[str, Any], document: dict[str, Any]) -> None:
        self.method, self.path, self.spec, self.document = method, path, spec, document
        self.params = [p["name"] for p in spec.get("parameters", []) if p["in"] == "path"]

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

    def kind(self, param: str) -> str | None:
        if param == "attachment_id":
            return next((kind for prefix, kind in ATTACHMENT_OF.items() if self.path.startswith(prefix)), None)
        if param == "line_id":
            return next((kind for prefix, kind in LINE_OF.items() if self.path.startswith(prefix)), KIND_OF[param])
        return KIND_OF.get(param)

    def strange_params(self, tenant: str, own: dict[str, int] | None = None) -> list[str]:
        """The path parameters naming objects the tenant is no party to (and that are not its `own`)."""
        return [param for param in self.params if self.kind(param) not in PARTY_TO[tenant] | set(own or {})]

    def bases(self, tenant: str, market: Marketplace) -> Iterator[tuple[str, dict[str, int], list[str]]]:
        """(what the tenant pairs, the ids of the call, the parameters to swap for missing ids): our objects;
        then, if it has an outer object of its own, its own with our inner ones."""
        strange = self.strange_params(tenant)
        if not strange or tenant in SEEN_BY.get(self.key, {}):
            return  # the tenant is a party to every object named, or may see them all the same
        yield "", market.ids, strange
        own = market.own.get(tenant, {})
        outer = sorted({self.kind(param) for param in self.params} & set(own))
        strange = self.strange_params(tenant, own)
        if outer and strange:
            yield f" with its own {', '.join(outer)}", {**market.ids, **own}, strange

    def url(self, ids: dict[str, int], missing: tuple[str, ...] = ()) -> str:
        url = self.path
        for param in self.params:
            url = url.replace(f"{{{param}}}", str(MISSING if param in missing else ids[self.kind(param)]))
        return url

    def __repr__(self) -> str:
        return f"{self.method} {self.path}"


def operations_with_ids(document: dict[str, Any]) -> list[Operation]:
    return [
        Operation(method.upper(), path, spec, document)
        for path, item in document["paths"].items()
        for method, spec in item.items()
        if method in METHODS and any(p["in"] == "path" and p["name"].endswith("id") for p in spec.get("parameters", []))
    ]


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/schema/openapi.json")
    assert response.status_code == 200, response.text
    return response.json()


# --- request bodies -----------------------------------------------------------------------------

# Bodies that must name real objects to be valid (`i`: the ids of the call, a stranger's own where it pairs
# them), so that a call gets as far as a party's would; every other operation gets one built from its schema.
BODIES: dict[tuple[str, str], Callable[[Marketplace, dict[str, int]], dict[str, Any]]] = {
    ("POST", "/api/v1/rfqs/{rfq_id}/offers"): lambda m, i: offer_body(m.rfq_lines, "0.0700", "0.4000"),
    ("PUT", "/api/v1/offers/{offer_id}"): lambda m, i: offer_body(m.rfq_lines, "0.0700", "0.4000"),
    ("POST", "/api/v1/offers/{offer_id}/counter-proposals"): lambda m, i: {
        "lines": [{"rfq_line_id": m.rfq_lines[0], "unit_price": "0.0800"}]},
    ("POST", "/api/v1/rfqs/{rfq_id}/award"): lambda m, i: {
        "awards": [{"rfq_line_id": m.rfq_lines[0], "offer_id": i["offer"]}]},
    ("POST", "/api/v1/rfqs/{rfq_id}/invitations"): lambda m, i: {"vendor_ids": [i["vendor"]]},
    ("PATCH", "/api/v1/rfqs/{rfq_id}"): lambda m, i: {"title": "Gloves, renamed"},
    ("POST", "/api/v1/contracts/{contract_id}/lines/{line_id}/link"): lambda m, i: {"listing_id": i["listing"]},
    ("POST", "/api/v1/contracts/{contract_id}/amendments"): lambda m, i: {"lines": [
        {"line_id": i["contract line"], "unit_price": "2.50"}]},
    ("POST", "/api/v1/companies/{company_id}/users"): lambda m, i: {
        "email": "new.colleague@example.com", "name": "New Colleague", "roles": ["purchaser"], "password": PASSWORD},
    ("POST", "/api/v1/curation/products/{product_id}/merge"): lambda m, i: {"into_product_id": i["product"]},
    ("POST", "/api/v1/segments/{segment_id}/rules"): lambda m, i: {
        "effect": "allow", "target": "vendor", "target_id": i["vendor"]},
    ("POST", "/api/v1/price-lists/{price_list_id}/entries"): lambda m, i: {
        "entries": [{"listing_id": i["listing"], "unit_price": "8.50"}]},
    ("PATCH", "/api/v1/listings/{listing_id}"): lambda m, i: {"stock": 7},
    ("POST", "/api/v1/invoices/{invoice_id}/payments"): lambda m, i: {"amount": "1.00"},
    ("POST", "/api/v1/invoices/{invoice_id}/cancel"): lambda m, i: {"reason": "Wrong address"},
    ("PUT", "/api/v1/companies/{company_id}/payment-terms"): lambda m, i: {"terms": "net_30"},
    ("PUT", "/api/v1/companies/{company_id}/credit"): lambda m, i: {"currency": "EUR", "limit": "1000.00"},
}


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example_of(schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """A minimal value the schema accepts: required properties only, examples and defaults first."""
    schema = _resolve(schema, document)
    if "oneOf" in schema or "anyOf" in schema:
        options = [_resolve(s, document) for s in schema.get("oneOf") or schema["anyOf"]]
        chosen = next((s for s in options if s.get("type") != "null"), options[0])
        return example_of({**{k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}, **chosen}, document)
    if schema.get("examples"):
        return schema["examples"][0]
    if "default" in schema:
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: example_of(schema["properties"][name], document) for name in schema.get("required", [])}
    if kind == "array":
        return [example_of(schema.get("items", {}), document)] * max(1, schema.get("minItems", 1))
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "string" and schema.get("format") == "date-time":
        return (utcnow() + timedelta(days=30)).isoformat()
    if kind == "string" and schema.get("format") == "date":
        return (utcnow() + timedelta(days=30)).date().isoformat()
    return "x" * max(1, schema.get("minLength", 1))


def request_of(operation: Operation, market: Marketplace, ids: dict[str, int]) -> dict[str, Any]:
    """The keyword arguments of the call: the same body for the real and the missing ids."""
    body = operation.spec.get("requestBody")
    if body is None:
        return {}
    if operation.key in BODIES:
        return {"json": BODIES[operation.key](market, ids)}
    content = body["content"]
    if "application/json" in content:
        return {"json": example_of(content["application/json"]["schema"], operation.document)}
    if "multipart/form-data" in content:
        fields = example_of(content["multipart/form-data"]["schema"], operation.document)
        schema = _resolve(content["multipart/form-data"]["schema"], operation.document)
        files = {name: TEXT_FILE for name, field in schema["properties"].items() if field.get("format") == "binary"}
        return {"files": files, "data": {k: v for k, v in fields.items() if k not in files}}
    raise AssertionError(f"{operation}: no body for {list(content)}; add it to BODIES")


def answer(response: httpx.Response) -> tuple[int, Any]:
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.status_code, response.json()
    return response.status_code, response.content[:200]


async def call(client: httpx.AsyncClient, operation: Operation, market: Marketplace, ids: dict[str, int],
               missing: tuple[str, ...] = ()) -> tuple[int, Any]:
    response = await client.request(operation.method, operation.url(ids, missing), **request_of(operation, market, ids))
    return answer(response)


def subsets(params: list[str]) -> Iterator[tuple[str, ...]]:
    """Every non-empty combination of the parameters: each id alone missing, several, all."""
    for size in range(1, len(params) + 1):
        yield from combinations(params, size)


# --- the checks ---------------------------------------------------------------------------------


def test_every_operation_with_an_id_is_checked_or_skipped_with_a_reason(document):
    operations = operations_with_ids(document)
    assert operations, "the OpenAPI document lists no operation with an id in its path"
    unchecked = []
    for operation in operations:
        if operation.key in SKIPPED:
            continue
        unknown = [param for param in operation.params if operation.kind(param) is None]
        if unknown:
            unchecked.append(f"{operation}: map {unknown} to a kind of object in KIND_OF (and build one)")
        elif not any(operation.strange_params(tenant) for tenant in PARTY_TO):
            unchecked.append(f"{operation}: every tenant is a party to it; add one that is not")
    assert not unchecked, "operations neither checked nor skipped:\n" + "\n".join(unchecked)
    stale = (set(SKIPPED) | set(NOT_FOR_OPERATORS) | set(SEEN_BY)) - {operation.key for operation in operations}
    assert not stale, f"SKIPPED, NOT_FOR_OPERATORS or SEEN_BY name operations that no longer exist: {stale}"


@pytest.mark.parametrize("tenant", sorted(PARTY_TO))
async def test_a_stranger_gets_the_answer_a_missing_id_gets(tenant, document, world, api):
    # given one object of every kind, and the users of a tenant that is no party to them
    market = await a_marketplace(world, api)
    unbuilt = (set(KIND_OF.values()) | set(ATTACHMENT_OF.values()) | set(LINE_OF.values())) - set(market.ids)
    assert not unbuilt, f"tests/support/parties.py builds no {unbuilt}"
    operations = [operation for operation in operations_with_ids(document) if operation.key not in SKIPPED]
    cells, differences, unreached = 0, [], []
    for email in market.strangers[tenant]:
        client = await api(email)
        for operation in operations:
            for pairing, ids, strange in operation.bases(tenant, market):
                # when it calls the operation on the real ids, then on missing ones
                real = await call(client, operation, market, ids)
                cells += 1
                if real[0] not in (403, 404):  # a role it lacks, or nothing there: anything else looked further
                    unreached.append(f"{email} {operation}{pairing}: {real}")
                for missing in subsets(strange):
                    absent = await call(client, operation, market, ids, missing)
                    # then the answers are the same
                    if absent != real:
                        differences.append(f"{email} {operation}{pairing} (missing {', '.join(missing)}):\n"
                                           f"    real id:    {real}\n    missing id: {absent}")
    print(f"\n{tenant}: {cells} cells (operation x user, and x own outer object), {len(differences)} differences")
    assert cells
    assert not differences, f"{len(differences)} of {cells} cells differ:\n" + "\n".join(differences)
    assert not unreached, "strangers got past the id (or the body is invalid: see BODIES):\n" + "\n".join(unreached)


async def test_an_operator_sees_what_it_oversees(document, world, api):
    # given one object of every kind
    market = await a_marketplace(world, api)
    operator = await api(world.operator)
    unseen = []
    for operation in operations_with_ids(document):
        if operation.method != "GET" or operation.key in SKIPPED or operation.key in NOT_FOR_OPERATORS:
            continue
        # when the operator reads it, then it gets it
        status, body = await call(operator, operation, market, market.ids)
        if status != 200:
            unseen.append(f"{operation}: {status} {body}")
    assert not unseen, "operators do not see:\n" + "\n".join(unseen)
