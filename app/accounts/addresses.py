"""A buyer company's delivery and billing addresses: read by its users, kept by its admins, one default of each kind.

Who may read follows the tenancy helpers (the company's users, its group's admins, operators); who may write is
`require_company_admin`. An address another company owns is a 404 worded as for a missing id. Every write locks the
company's row first (PostgreSQL; SQLite's immediate transaction already serializes writers), so concurrent requests
that move the default queue up instead of tripping over the partial unique index that backs the rule.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from app import db
from app.accounts.addresses_rules import AddressError, AddressKind, AddressValues, check_address, needs_default
from app.accounts.roles import CompanyKind
from app.accounts.schemas import AddressIn, AddressOut
from app.accounts.tables import Company, CompanyAddress
from app.auth import Principal, require_company_admin, require_visible_company, scope_to_companies
from app.clock import utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound

NOT_FOUND = "No such address."


def _out(row: dict[str, Any]) -> AddressOut:
    return AddressOut(
        id=row["id"], company_id=row["company"], kind=AddressKind(row["kind"]), label=row["label"],
        recipient=row["recipient"], attention=row["attention"], street=row["street"], street2=row["street2"],
        postal_code=row["postal_code"], city=row["city"], region=row["region"], country=row["country"],
        phone=row["phone"], is_default=bool(row["is_default"]), archived_at=row["archived_at"],
        created_at=row["created_at"], updated_at=row["updated_at"],
    )


def _checked(raw: dict[str, Any]) -> AddressValues:
    try:
        return check_address(raw)
    except AddressError as exc:
        raise InvalidInput(str(exc)) from None


def _columns(values: AddressValues) -> dict[str, str]:
    """The text columns (the kind is set once, at creation)."""
    return {name: value for name, value in asdict(values).items() if name != "kind"}


def _require_admin(principal: Principal, company_id: int) -> None:
    try:
        require_company_admin(principal, company_id)
    except Forbidden:
        raise Forbidden("Only an admin of this company can manage its addresses.") from None


async def _row(address_id: int) -> dict[str, Any] | None:
    return await CompanyAddress.select().where(CompanyAddress.id == address_id).first()


async def _visible_row(principal: Principal, address_id: int) -> dict[str, Any]:
    """The address if the caller may see it; a missing one and another company's answer the same 404."""
    row = await _row(address_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    require_visible_company(principal, row["company"], "address")
    return row


async def _lock_company(company_id: int) -> None:
    query = Company.select(Company.id).where(Company.id == company_id)
    # NO KEY UPDATE: it queues address writers of this company, not the inserts that reference the company.
    await (query if db.is_sqlite() else query.lock_rows("NO KEY UPDATE"))


async def _make_default(company_id: int, kind: str, address_id: int) -> None:
    """The address becomes its kind's default; the previous default stops being it, first (the index checks each
    statement)."""
    now = utcnow()
    await CompanyAddress.update({CompanyAddress.is_default: False, CompanyAddress.updated_at: now}).where(
        (CompanyAddress.company == company_id) & (CompanyAddress.kind == kind)
        & (CompanyAddress.is_default == True)  # noqa: E712 - a SQL comparison, not a Python one
        & (CompanyAddress.id != address_id)
    )
    await CompanyAddress.update({CompanyAddress.is_default: True, CompanyAddress.updated_at: now}).where(
        CompanyAddress.id == address_id
    )


async def _has_default(company_id: int, kind: str) -> bool:
    return await CompanyAddress.exists().where(
        (CompanyAddress.company == company_id) & (CompanyAddress.kind == kind)
        & (CompanyAddress.is_default == True)  # noqa: E712
        & CompanyAddress.archived_at.is_null()
    )


# --- reading ------------------------------------------------------------------------------------


async def list_addresses(principal: Principal, kind: AddressKind | None = None,
                         company_id: int | None = None) -> list[AddressOut]:
    """The addresses in use of the companies the caller may see (or of one of them), defaults first."""
    query = scope_to_companies(CompanyAddress.select(), CompanyAddress.company, principal).where(
        CompanyAddress.archived_at.is_null()
    )
    if kind is not None:
        query = query.where(CompanyAddress.kind == kind.value)
    if company_id is not None:
        query = query.where(CompanyAddress.company == company_id)
    query = query.order_by(CompanyAddress.company, CompanyAddress.kind).order_by(
        CompanyAddress.is_default, ascending=False
    ).order_by(CompanyAddress.label, CompanyAddress.id)
    return [_out(row) for row in await query]


async def get_address(principal: Principal, address_id: int) -> AddressOut:
    """One address, archived ones included: an order delivered there still shows it."""
    return _out(await _visible_row(principal, address_id))


async def address_for_order(company_id: int, address_id: int | None, kind: AddressKind) -> AddressOut | None:
    """The company's address of `kind` an order goes to: the one named (in use, of this company: anything else is
    the 404 of a missing address) or, unnamed, the company's default of that kind (None when it has none)."""
    query = CompanyAddress.select().where(
        (CompanyAddress.company == company_id) & (CompanyAddress.kind == kind.value)
        & CompanyAddress.archived_at.is_null()
    )
    if address_id is not None:
        row = await query.where(CompanyAddress.id == address_id).first()
        if row is None:
            raise NotFound(NOT_FOUND)
        return _out(row)
    row = await query.where(CompanyAddress.is_default.eq(True)).first()
    return None if row is None else _out(row)


def address_text(address: AddressOut) -> str:
    """The address as a label prints it, one part per line."""
    parts = [address.recipient, address.attention and f"Attn. {address.attention}", address.street, address.street2,
             f"{address.postal_code} {address.city}".strip(), address.region, address.country,
             address.phone and f"Phone {address.phone}"]
    return "\n".join(part for part in parts if part)


# --- writing ------------------------------------------------------------------------------------


async def create_address(principal: Principal, data: AddressIn) -> AddressOut:
    """A new address of the caller's own company (its admins only)."""
    _require_admin(principal, principal.company_id)
    return await add_company_address(principal.company_id, data)


async def add_company_address(company_id: int, data: AddressIn) -> AddressOut:
    """Add an address to a buyer company without asking who calls: for the command line and the demo data; the API
    goes through `create_address`."""
    raw = {name: getattr(data, name) for name in data.__struct_fields__}
    values = _checked({**raw, "kind": data.kind.value})
    async with db.transaction():
        await _lock_company(company_id)
        company = await Company.select(Company.kind).where(Company.id == company_id).first()
        if company is None:
            raise NotFound("No such company.")
        if company["kind"] != CompanyKind.BUYER.value:
            raise Conflict("Only buyer companies keep delivery and billing addresses.")
        now = utcnow()
        address = CompanyAddress(company=company_id, kind=values.kind.value, is_default=False, created_at=now,
                                 updated_at=now, **_columns(values))
        await address.save()
        if needs_default(asked=data.is_default, has_default=await _has_default(company_id, values.kind.value)):
            await _make_default(company_id, values.kind.value, address.id)
        row = await _row(address.id)
    assert row is not None
    return _out(row)


async def update_address(principal: Principal, address_id: int, changes: dict[str, Any]) -> AddressOut:
    """Change some fields; `is_default: true` moves the kind's default here. An archived address is kept as it was."""
    row = await _visible_row(principal, address_id)
    _require_admin(principal, row["company"])
    async with db.transaction():
        await _lock_company(row["company"])
        row = await _row(address_id)
        if row is None:
            raise NotFound(NOT_FOUND)
        if row["archived_at"] is not None:
            raise Conflict("This address is archived: it stays as orders knew it. Add a new address instead.")
        make_default = changes.pop("is_default", None)
        if make_default is False and row["is_default"]:
            raise Conflict("A kind always has one default address: make another address the default instead.")
        values = _checked({**row, **changes})
        await CompanyAddress.update({**_columns(values), "updated_at": utcnow()}).where(
            CompanyAddress.id == address_id
        )
        if make_default and not row["is_default"]:
            await _make_default(row["company"], row["kind"], address_id)
        row = await _row(address_id)
    assert row is not None
    return _out(row)


async def archive_address(principal: Principal, address_id: int) -> None:
    """Hide an address from lists and new orders, keeping it for the orders that name it. Archiving the default
    passes the default to the oldest other address of its kind, if there is one. Archiving twice changes nothing."""
    row = await _visible_row(principal, address_id)
    _require_admin(principal, row["company"])
    async with db.transaction():
        await _lock_company(row["company"])
        row = await _row(address_id)
        if row is None or row["archived_at"] is not None:
            return
        await CompanyAddress.update({
            CompanyAddress.archived_at: utcnow(), CompanyAddress.is_default: False, CompanyAddress.updated_at: utcnow(),
        }).where(CompanyAddress.id == address_id)
        if row["is_default"]:
            heir = await CompanyAddress.select(CompanyAddress.id).where(
                (CompanyAddress.company == row["company"]) & (CompanyAddress.kind == row["kind"])
                & CompanyAddress.archived_at.is_null()
            ).order_by(CompanyAddress.id).first()
            if heir is not None:
                await _make_default(row["company"], row["kind"], heir["id"])
