"""The operators' back office: piccolo-admin over the same users and sessions as the portal."""

from __future__ import annotations

from typing import Any

from piccolo.apps.user.tables import BaseUser
from piccolo_admin.endpoints import TableConfig, create_admin
from piccolo_api.crud.endpoints import PiccoloCRUD
from piccolo_api.crud.hooks import Hook, HookType
from piccolo_api.crud.validators import Validators
from piccolo_api.session_auth.tables import SessionsBase
from starlette.exceptions import HTTPException
from starlette.requests import Request

from app.accounts.addresses_rules import AddressError, check_address
from app.accounts.tables import ApiToken, Company, CompanyAddress, Invitation, LoginFailure, MemberRole, Membership
from app.back_office_audit import BackOfficeAudit
from app.billing.tables import BillingAudit, CreditLimit, Invoice, PaymentTerm
from app.catalog.states import ListingStatus
from app.catalog.tables import (
    Category,
    CurationEvent,
    Listing,
    PriceList,
    PriceListEntry,
    Product,
    Segment,
    SegmentMember,
    SegmentRule,
)
from app.clock import utcnow
from app.contracts.tables import Contract, ContractLine, ContractPrice, ContractVersion
from app.curation import rules
from app.notifications.tables import OutboxEmail
from app.onbehalf.tables import OnBehalfAction, SalesAssignment
from app.settings import Settings
from app.spending.tables import SpendingAudit
from app.vendors.tables import FeedImport

CURATION_PAGES = "/operator/curation"
SEGMENT_PAGES = "/operator/curation/segments"


async def price_list_for_one_party(piccolo_crud: PiccoloCRUD, request: Request) -> None:
    """An operator's new or edited price list names exactly one of segment and company.

    The database refuses anything else too (migration catalog_2026_11_29t18_40_00_000000), but in its own
    words; this says it in the form's. A 422 with a validation-style detail is what piccolo-admin's form
    shows as "<field> field - <message>".
    """
    data = await request.json()  # already read by PiccoloCRUD: Starlette hands back the parsed body
    values: dict[str, Any] = {}
    if request.method != "POST":
        # PATCH and PUT carry only the fields they change: the others keep their stored values.
        row_id = int(request.path_params["row_id"])
        stored = await PriceList.select(PriceList.segment, PriceList.company).where(PriceList.id == row_id).first()
        values.update(stored or {})
    for name in ("segment", "company"):
        if name in data:
            values[name] = None if data[name] in (None, "", "null") else data[name]
    try:
        rules.check_owner(values.get("segment"), values.get("company"), fields=("segment", "company"))
    except rules.RuleViolation as exc:
        field = "segment" if values.get("segment") is None else "company"
        raise HTTPException(
            status_code=422, detail=[{"loc": ["body", field], "msg": str(exc), "type": "value_error"}]  # type: ignore[arg-type]
        ) from None


def _field_error(field: str, message: str) -> HTTPException:
    """A 422 that piccolo-admin's form shows as "<field> field - <message>"."""
    return HTTPException(
        status_code=422, detail=[{"loc": ["body", field], "msg": message, "type": "value_error"}]  # type: ignore[arg-type]
    )


def _product_id(value: Any) -> int | None:
    return None if value in (None, "", "null") else int(value)


async def listing_status_and_product_through_curation(piccolo_crud: PiccoloCRUD, request: Request) -> None:
    """A listing's status and product change only through curation (/operator/curation), which checks the
    transition and the product and writes the audit event; here they may only be sent back unchanged, as the
    edit form does. A new listing starts as a draft without a product."""
    data = await request.json()  # already read by PiccoloCRUD: Starlette hands back the parsed body
    if request.method == "POST":
        if data.get("status", ListingStatus.DRAFT.value) != ListingStatus.DRAFT.value:
            raise _field_error("status", "a new listing starts as a draft: its vendor submits it and it is approved "
                                         f"in curation ({CURATION_PAGES}), which logs it")
        if _product_id(data.get("product")) is not None:
            raise _field_error("product", f"a new listing has no product: it is matched in curation ({CURATION_PAGES}),"
                                          " which checks and logs it")
        return
    row_id = int(request.path_params["row_id"])
    stored = await Listing.select(Listing.status, Listing.product).where(Listing.id == row_id).first()
    if stored is None:
        return  # PiccoloCRUD's own answer: there is nothing to change
    if "status" in data and data["status"] != stored["status"]:
        raise _field_error("status", f"a listing is approved, rejected or suspended in curation ({CURATION_PAGES}), "
                                     "which checks the change and logs it; leave the status as it is here")
    if "product" in data and _product_id(data["product"]) != stored["product"]:
        raise _field_error("product", f"a listing is matched to a product in curation ({CURATION_PAGES}), which "
                                      "checks the product and logs it; leave the product as it is here")


def listing_edit_leaves_status_and_product(row_id: Any, values: dict[Any, Any]) -> dict[Any, Any]:
    """Never write back the status and product the edit form sent unchanged (the validator refused any change):
    curation may have changed them since the form was loaded, and a title fix must not undo that. The edit is
    stamped with its own time, which also keeps the update from being empty."""
    kept = {column: value for column, value in values.items()
            if column._meta.name not in ("status", "product", "updated_at")}
    return {**kept, Listing.updated_at: utcnow()}


async def address_rules(piccolo_crud: PiccoloCRUD, request: Request) -> None:
    """An address written here obeys the API's rules (app/accounts/addresses_rules.py), and its default is moved,
    not doubled: the partial unique index would refuse a second default in words no form shows."""
    data = await request.json()  # already read by PiccoloCRUD: Starlette hands back the parsed body
    values: dict[str, Any] = {}
    row_id = None
    if request.method != "POST":
        row_id = int(request.path_params["row_id"])
        values.update(await CompanyAddress.select().where(CompanyAddress.id == row_id).first() or {})
    values.update(data)
    try:
        check_address(values)
    except AddressError as exc:
        raise _field_error(exc.field, str(exc)) from None
    if values.get("is_default") and not values.get("archived_at") and values.get("company") is not None:
        others = CompanyAddress.exists().where(
            (CompanyAddress.company == int(values["company"])) & (CompanyAddress.kind == values.get("kind"))
            & (CompanyAddress.is_default == True) & CompanyAddress.archived_at.is_null()  # noqa: E712 - SQL
        )
        if row_id is not None:
            others = others.where(CompanyAddress.id != row_id)
        if await others:
            raise _field_error("is_default", "the company has a default address of this kind: its admin moves the "
                                             "default on the addresses API (is_default on the other address)")


def _read_only(message: str) -> Validators:
    """Validators that refuse every write through piccolo-admin with `message` (reads stay open)."""

    def refuse(piccolo_crud: PiccoloCRUD, request: Request) -> None:
        raise HTTPException(status_code=403, detail=message)

    return Validators(post_single=[refuse], put_single=[refuse], patch_single=[refuse], delete_single=[refuse],
                      delete_all=[refuse])


def create_back_office(settings: Settings) -> Any:
    tables = [
        TableConfig(
            Company,
            visible_columns=[Company.id, Company.name, Company.kind, Company.country, Company.currency,
                             Company.status, Company.parent],
            visible_filters=[Company.name, Company.kind, Company.status, Company.country],
            menu_group="Companies",
            link_column=Company.name,
        ),
        TableConfig(
            Membership,
            visible_columns=[Membership.id, Membership.name, Membership.user, Membership.company],
            visible_filters=[Membership.name, Membership.company],
            menu_group="Companies",
            link_column=Membership.name,
        ),
        TableConfig(
            CompanyAddress,
            visible_columns=[CompanyAddress.id, CompanyAddress.company, CompanyAddress.kind, CompanyAddress.label,
                             CompanyAddress.city, CompanyAddress.country, CompanyAddress.is_default,
                             CompanyAddress.archived_at],
            visible_filters=[CompanyAddress.company, CompanyAddress.kind, CompanyAddress.country,
                             CompanyAddress.is_default],
            validators=Validators(post_single=[address_rules], put_single=[address_rules],
                                  patch_single=[address_rules]),
            menu_group="Companies",
        ),
        TableConfig(MemberRole, visible_filters=[MemberRole.role, MemberRole.membership], menu_group="Companies"),
        TableConfig(
            BaseUser,
            visible_columns=[BaseUser.id, BaseUser.username, BaseUser.active, BaseUser.admin, BaseUser.last_login],
            visible_filters=[BaseUser.username, BaseUser.active, BaseUser.admin],
            menu_group="Logins",
        ),
        TableConfig(Invitation, exclude_visible_columns=[Invitation.token_hash], menu_group="Logins"),
        TableConfig(ApiToken, exclude_visible_columns=[ApiToken.token_hash], menu_group="Logins"),
        TableConfig(LoginFailure, menu_group="Logins"),
        TableConfig(
            OutboxEmail,
            visible_columns=[OutboxEmail.id, OutboxEmail.to_address, OutboxEmail.subject, OutboxEmail.status,
                             OutboxEmail.attempts, OutboxEmail.created_at, OutboxEmail.sent_at],
            visible_filters=[OutboxEmail.status, OutboxEmail.to_address],
            menu_group="Outbox",
        ),
        TableConfig(Category, visible_columns=[Category.id, Category.name, Category.parent], menu_group="Catalog"),
        TableConfig(
            Product,
            visible_columns=[Product.id, Product.name, Product.brand, Product.mpn, Product.gtin, Product.category,
                             Product.status, Product.featured],
            visible_filters=[Product.name, Product.brand, Product.gtin, Product.status, Product.featured],
            menu_group="Catalog",
            link_column=Product.name,
        ),
        TableConfig(
            Listing,
            visible_columns=[Listing.id, Listing.vendor, Listing.sku, Listing.title, Listing.product, Listing.status,
                             Listing.currency, Listing.stock],
            visible_filters=[Listing.vendor, Listing.sku, Listing.status, Listing.gtin],
            menu_group="Catalog",
            link_column=Listing.sku,
            validators=Validators(post_single=[listing_status_and_product_through_curation],
                                  put_single=[listing_status_and_product_through_curation],
                                  patch_single=[listing_status_and_product_through_curation]),
            hooks=[Hook(hook_type=HookType.pre_patch, callable=listing_edit_leaves_status_and_product)],
        ),
        TableConfig(
            CurationEvent,
            validators=_read_only("The curation log is read-only: it is the audit trail that the curation flow "
                                  f"writes with each change ({CURATION_PAGES}/events)."),
            menu_group="Catalog",
        ),
        TableConfig(Segment, menu_group="Segments and prices"),
        TableConfig(SegmentMember, menu_group="Segments and prices"),
        TableConfig(
            SegmentRule,
            validators=_read_only(f"Segment rules are added and removed at {SEGMENT_PAGES} (or through "
                                  "/api/v1/segments/<segment id>/rules), which check them and log the change."),
            menu_group="Segments and prices",
        ),
        TableConfig(
            PriceList,
            validators=Validators(post_single=[price_list_for_one_party], put_single=[price_list_for_one_party],
                                  patch_single=[price_list_for_one_party]),
            menu_group="Segments and prices",
        ),
        TableConfig(PriceListEntry, menu_group="Segments and prices"),
        TableConfig(ContractPrice, menu_group="Segments and prices"),
        TableConfig(
            Contract,
            visible_columns=[Contract.id, Contract.number, Contract.buyer, Contract.vendor, Contract.valid_from,
                             Contract.valid_to, Contract.status, Contract.version, Contract.terminated_at],
            visible_filters=[Contract.number, Contract.buyer, Contract.vendor, Contract.status],
            menu_group="Contracts",
            link_column=Contract.number,
        ),
        TableConfig(
            ContractLine,
            visible_columns=[ContractLine.id, ContractLine.contract, ContractLine.position, ContractLine.description,
                             ContractLine.listing, ContractLine.unit_price, ContractLine.linked_at],
            visible_filters=[ContractLine.contract, ContractLine.listing],
            menu_group="Contracts",
        ),
        TableConfig(
            ContractVersion,
            visible_columns=[ContractVersion.id, ContractVersion.contract, ContractVersion.number,
                             ContractVersion.status, ContractVersion.proposed_side, ContractVersion.valid_from,
                             ContractVersion.valid_to, ContractVersion.decided_at],
            visible_filters=[ContractVersion.contract, ContractVersion.status],
            menu_group="Contracts",
        ),
        TableConfig(FeedImport, exclude_visible_columns=[FeedImport.stored_path], menu_group="Vendors"),
        TableConfig(
            SpendingAudit,
            visible_filters=[SpendingAudit.company, SpendingAudit.kind, SpendingAudit.subject],
            validators=_read_only("The spending audit is read-only: buyer admins' changes of rules, budgets and "
                                  "limits, and every approval decision, are written by the portal with each change."),
            menu_group="Spending",
        ),
        TableConfig(
            BillingAudit,
            visible_columns=[BillingAudit.id, BillingAudit.at, BillingAudit.company, BillingAudit.kind,
                             BillingAudit.actor, BillingAudit.before, BillingAudit.after],
            visible_filters=[BillingAudit.company, BillingAudit.kind],
            validators=_read_only("The billing audit is read-only: it is the trail that credit-limit and "
                                  "payment-term changes write (PUT /api/v1/companies/<id>/credit and "
                                  "/payment-terms)."),
            menu_group="Billing",
        ),
        TableConfig(
            CreditLimit,
            validators=_read_only("Credit limits are read-only here: they are set through PUT "
                                  "/api/v1/companies/<id>/credit, which audits each change."),
            menu_group="Billing",
        ),
        TableConfig(
            PaymentTerm,
            validators=_read_only("Payment terms are read-only here: they are set through PUT "
                                  "/api/v1/companies/<id>/payment-terms, which audits each change."),
            menu_group="Billing",
        ),
        TableConfig(
            Invoice,
            visible_columns=[Invoice.id, Invoice.number, Invoice.vendor, Invoice.buyer, Invoice.status,
                             Invoice.currency, Invoice.gross, Invoice.paid, Invoice.issued_on, Invoice.due_on],
            visible_filters=[Invoice.number, Invoice.vendor, Invoice.buyer, Invoice.status],
            validators=_read_only("Invoices are read-only here: they are issued, paid and cancelled through "
                                  "/api/v1/invoices, which checks each move."),
            menu_group="Billing",
            link_column=Invoice.number,
        ),
        TableConfig(
            OnBehalfAction,
            visible_columns=[OnBehalfAction.id, OnBehalfAction.at, OnBehalfAction.action, OnBehalfAction.actor,
                             OnBehalfAction.company, OnBehalfAction.buyer_user, OnBehalfAction.subject],
            visible_filters=[OnBehalfAction.action, OnBehalfAction.actor_id, OnBehalfAction.company_id,
                             OnBehalfAction.buyer_user_id],
            validators=_read_only("The on-behalf log is an audit log: nobody changes or deletes its entries (the "
                                  "database refuses it too); they are written with each action taken for a buyer."),
            menu_group="Ordering on behalf",
        ),
        TableConfig(
            SalesAssignment,
            validators=_read_only("A buyer company's admin assigns and removes its sales representatives at "
                                  "/team/sales-reps (operators: /api/v1/companies/<id>/sales-reps), which logs it."),
            menu_group="Ordering on behalf",
        ),
    ]
    back_office = create_admin(
        tables=tables,
        auth_table=BaseUser,
        session_table=SessionsBase,
        site_name="Marketplace back office",
        production=settings.production,
        sidebar_links={"Portal": "/dashboard", "Outbox": "/operator/outbox"},
    )
    # Every write an operator makes here is logged (who, when, which row, before and after) or refused.
    return BackOfficeAudit(back_office, tables=[config.table_class for config in tables])
