"""Building an RFQ on its page: the product and vendor pickers, lines added from the catalog or from a spreadsheet,
and the page's form checked as a whole (every problem by its field) before the draft is saved.

Nothing here saves: each move answers with the form as it should be shown again (the buyer's values kept, lines
added, vendors chosen), so the buyer reviews it and saves the draft. The pickers show only what the buyer may see:
products through the catalog search (its one visibility rule), vendors through the RFQ's invitation rule.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from litestar.datastructures import FormMultiDict, UploadFile

from app import db
from app.accounts.roles import CompanyKind, CompanyStatus
from app.accounts.tables import Company
from app.auth import Principal
from app.catalog.buyer_offers import OFFER_FROM, buyer_context, placeholders
from app.catalog.search import Filters, query_terms
from app.catalog.search_results import search_products
from app.catalog.tables import Listing
from app.catalog.visibility import visible_offer_sql
from app.errors import DomainError, FieldErrors, InvalidInput
from app.files import read_upload
from app.money import amount_input
from app.rfq import access, cost_centers, drafting, line_sheets
from app.rfq.forms import (
    LINE_FIELDS,
    FormProblems,
    filled_rows,
    is_line_field,
    line_key,
    line_values,
    patch_from_form,
    rfq_from_form,
)
from app.rfq.rules import MAX_LINES
from app.rfq.schemas import RfqIn, RfqOut, RfqPatch, VendorChoice
from app.rfq.states import RfqStatus

PRODUCT_RESULTS = 10
VENDOR_RESULTS = 20
MAX_QUERY = 100
# The form's buttons that build rather than save, and the fields only they use.
BUILD_ACTIONS = frozenset({"find_products", "find_vendors", "add_lines"})
BUILD_BUTTONS = ("add_product", "add_vendor", "remove_vendor")
_CONTROLS = frozenset({"action", *BUILD_BUTTONS, "lines_file"})


@dataclass(frozen=True, slots=True)
class ProductChoice:
    """A catalog product the buyer may see, as the picker lists it."""

    id: int
    name: str
    gtin: str
    skus: tuple[str, ...]
    unit: str


@dataclass(slots=True)
class Built:
    """The form to show again after a building move, with the picker's results and what went wrong, if anything."""

    form: FormMultiDict
    products: list[ProductChoice] | None = None
    vendors: list[VendorChoice] | None = None
    error: DomainError | None = None
    notice: str = ""
    sheet_problems: list[str] = field(default_factory=list)


# --- pickers ------------------------------------------------------------------------------------


async def find_products(principal: Principal, text: str) -> list[ProductChoice]:
    """The catalog products the buyer may see whose name, SKU or GTIN match `text` (the catalog search), at most
    PRODUCT_RESULTS; none for an empty query."""
    text = (text or "")[:MAX_QUERY]
    if not query_terms(text):
        return []
    found = await search_products(principal, text, Filters(), 1, PRODUCT_RESULTS)
    return [
        ProductChoice(id=item.id, name=item.name, gtin=item.gtin, skus=tuple(sorted({o.sku for o in item.offers}))[:3],
                      unit=item.offers[0].unit if item.offers else "pcs")
        for item in found.items
    ]


async def find_vendors(principal: Principal, text: str, chosen: Iterable[str] = ()) -> list[VendorChoice]:
    """Active vendors the buyer may invite whose name holds `text`, not chosen yet, at most VENDOR_RESULTS."""
    words = (text or "").strip()[:MAX_QUERY]
    if not words:
        return []
    skip = {int(v) for v in chosen if _an_id(v)}
    pattern = f"%{words.replace('%', '')}%"  # SQLite's LIKE ignores ASCII case already; it has no ILIKE
    named = Company.name.like(pattern) if db.is_sqlite() else Company.name.ilike(pattern)
    rows = await Company.select(Company.id, Company.name).where(
        (Company.kind == CompanyKind.VENDOR.value) & (Company.status == CompanyStatus.ACTIVE.value) & named
    ).order_by(Company.name).limit(10 * VENDOR_RESULTS)
    hidden = set(await access.vendors_hidden_from(principal.company_id, [row["id"] for row in rows]))
    return [VendorChoice(id=row["id"], name=row["name"]) for row in rows
            if row["id"] not in hidden and row["id"] not in skip][:VENDOR_RESULTS]


async def more_vendors(principal: Principal, rfq: Any, text: str) -> list[VendorChoice]:
    """The vendor picker on a published RFQ's page: vendors the buyer may invite, not invited yet."""
    if not isinstance(rfq, RfqOut) or rfq.status != RfqStatus.PUBLISHED.value:
        return []
    return await find_vendors(principal, text, [str(invitation.vendor_id) for invitation in rfq.invitations])


async def invite_from_page(principal: Principal, rfq_id: int, vendor: Any) -> RfqOut:
    """Invite the vendor chosen with the picker (a vendor the buyer may not invite is told so, as an unknown one)."""
    if not _an_id(vendor):
        raise InvalidInput("Choose a vendor to invite with the search.")
    if await drafting.uninvitable_vendors(principal.company_id, [int(vendor)]):
        raise InvalidInput("That vendor cannot be invited: search again and choose one of the vendors offered.")
    return await drafting.add_invitations(principal, rfq_id, [int(vendor)])


async def _visible_products(principal: Principal, product_ids: list[int]) -> dict[int, tuple[str, str]]:
    """The products among `product_ids` the buyer may see: name and the unit of one of its offers (one query)."""
    if not product_ids:
        return {}
    visible, args = visible_offer_sql(buyer_context(principal).buyer.segment_id)
    rows = await Listing.raw(
        f"SELECT p.id AS id, p.name AS name, l.unit AS unit {OFFER_FROM}"
        f" WHERE p.id IN ({placeholders(product_ids)}) AND {visible} ORDER BY l.id",
        *product_ids, *args,
    )
    found: dict[int, tuple[str, str]] = {}
    for row in rows:
        found.setdefault(row["id"], (row["name"], row["unit"] or "pcs"))
    return found


@dataclass(frozen=True, slots=True)
class PageChoices:
    """What the form's ids stand for, as far as the buyer may know: its lines' products, its chosen vendors."""

    product_names: dict[int, str]
    chosen_vendors: list[VendorChoice]
    cost_centers: list[cost_centers.CostCenterChoice] = field(default_factory=list)
    default_cost_center_id: int | None = None  # the user's only cost center: a new RFQ's, unless another is chosen


async def page_choices(principal: Principal, form: Any) -> PageChoices:
    """The names of the form's catalog products and chosen vendors that the buyer may see (a hidden one stays a
    number, as an unknown one)."""
    product_ids = sorted({int(v) for n in filled_rows(form) if _an_id(v := line_values(form, n)["product_id"])})
    names = {product_id: name for product_id, (name, _) in (await _visible_products(principal, product_ids)).items()}
    ids = [int(v) for v in dict.fromkeys(form.getall("vendor_ids", [])) if _an_id(v)]
    refused = set(await drafting.uninvitable_vendors(principal.company_id, ids))
    invitable = [i for i in ids if i not in refused]
    found = {row["id"]: row["name"] for row in await Company.select(Company.id, Company.name).where(
        Company.id.is_in(invitable))} if invitable else {}
    return PageChoices(names, [VendorChoice(id=i, name=found.get(i, f"Vendor {i} (cannot be invited)")) for i in ids],
                       await cost_centers.choices(principal.company_id),
                       await cost_centers.default_for(principal.user_id, principal.company_id))


def _an_id(value: Any) -> bool:
    """Whether a form's value is an id as the page writes it (digits, and few of them)."""
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 12


# --- the form, rebuilt --------------------------------------------------------------------------


def _kept(form: Any, *, drop: Iterable[str] = ()) -> list[tuple[str, Any]]:
    """The form's own fields (no button, no file, no line row), to build it again."""
    dropped = _CONTROLS | set(drop)
    return [(key, value) for key, value in form.multi_items()
            if isinstance(value, str) and key not in dropped and not is_line_field(key)]


def _rebuilt(form: Any, added: Iterable[dict[str, str]] = (), *, vendor_ids: list[str] | None = None,
             drop: Iterable[str] = ()) -> FormMultiDict:
    """The form with its filled line rows first (renumbered from 1), `added` after them, and `vendor_ids` chosen
    instead of the form's when given."""
    values = _kept(form, drop=drop)
    if vendor_ids is not None:
        values = [(key, value) for key, value in values if key != "vendor_ids"]
        values += [("vendor_ids", v) for v in dict.fromkeys(vendor_ids)]
    rows = [line_values(form, n) for n in filled_rows(form)] + list(added)
    for n, line in enumerate(rows, start=1):
        values += [(line_key(n, name), line.get(name, "")) for name in LINE_FIELDS]
    return FormMultiDict(values)


def is_building(form: Any) -> bool:
    """Whether the form was sent by a button that builds (search, add, remove) rather than by Save draft."""
    return form.get("action") in BUILD_ACTIONS or any(form.get(button) for button in BUILD_BUTTONS)


async def apply(principal: Principal, form: Any) -> Built:
    """The building move the form's button asked for, on the form as it was sent: nothing is saved."""
    chosen = [v for v in form.getall("vendor_ids", []) if isinstance(v, str)]
    if form.get("add_vendor"):
        return Built(_rebuilt(form, vendor_ids=[*chosen, form.get("add_vendor")], drop=("vendor_q",)))
    if form.get("remove_vendor"):
        return Built(_rebuilt(form, vendor_ids=[v for v in chosen if v != form.get("remove_vendor")]))
    rebuilt = _rebuilt(form)
    if form.get("action") == "find_vendors":
        return Built(rebuilt, vendors=await find_vendors(principal, form.get("vendor_q", ""), chosen))
    if form.get("action") == "find_products":
        return Built(rebuilt, products=await find_products(principal, form.get("product_q", "")))
    try:
        if form.get("add_product"):
            return await _add_product(principal, form)
        return await _add_sheet_lines(principal, form)
    except DomainError as exc:
        return Built(rebuilt, error=exc, sheet_problems=[item["message"] for item in exc.extra or []])


async def _add_product(principal: Principal, form: Any) -> Built:
    raw = form.get("add_product", "")
    product_id = int(raw) if _an_id(raw) else 0
    found = (await _visible_products(principal, [product_id])).get(product_id) if product_id else None
    if found is None:  # unknown and hidden alike
        raise FieldErrors("That product is not in your catalog.", {"product_q": "That product is not in your "
                                                                                 "catalog: search again."})
    name, unit = found
    _room(form, 1)
    line = {"description": name, "product_id": str(product_id), "quantity": "1", "unit": unit}
    return Built(_rebuilt(form, [line], drop=("product_q",)),
                 notice=f"Added a line for {name}: set its quantity and target price.")


def _room(form: Any, adding: int) -> None:
    have = len(filled_rows(form))
    if have + adding > MAX_LINES:
        raise FieldErrors(f"An RFQ has at most {MAX_LINES} lines.", {
            "form": f"An RFQ has at most {MAX_LINES} lines: it has {have}, and {adding} more would not fit."})


async def _add_sheet_lines(principal: Principal, form: Any) -> Built:
    """Lines from the pasted text or the uploaded file, all or none: every row to fix is told by row and column."""
    upload = form.get("lines_file")
    text = form.get("lines_text", "")
    key = "lines_file" if isinstance(upload, UploadFile) and upload.filename else "lines_text"
    try:
        if key == "lines_file":
            content = await read_upload(upload, line_sheets.MAX_FILE_BYTES)
            read = await asyncio.to_thread(line_sheets.file_lines, upload.filename, content, principal.locale)
        elif isinstance(text, str) and text.strip():
            read = await asyncio.to_thread(line_sheets.text_lines, text, principal.locale)
        else:
            raise line_sheets.SheetError("Paste lines into the box or choose a file first.")
    except line_sheets.TableError as exc:
        raise FieldErrors(str(exc), {key: str(exc)}) from None
    matches = await _catalog_matches(principal, [line.article for line in read.lines])
    problems = list(read.problems)
    added = []
    for line in read.lines:
        match = matches.get(line.article)
        if isinstance(match, str):
            problems.append(line_sheets.RowProblem(line.row, "article", match))
            continue
        product_id, name = match if match else ("", line.article)
        added.append({"description": name, "product_id": str(product_id), "quantity": str(line.quantity),
                      "unit": line.unit,  # the price as the buyer types amounts, for the form to read back
                      "target_price": amount_input(Decimal(line.target_price), principal.locale)
                      if line.target_price else ""})
    if problems:
        problems.sort(key=lambda problem: problem.row)
        rows = len({problem.row for problem in problems})
        said = f"{rows} row{'' if rows == 1 else 's'} to fix; no line was added."
        raise _sheet_errors(key, said, problems)
    _room(form, len(added))
    return Built(_rebuilt(form, added, drop=("lines_text",)),
                 notice=f"Added {len(added)} line{'' if len(added) == 1 else 's'}: check them, then save the draft.")


def _sheet_errors(key: str, said: str, problems: list[line_sheets.RowProblem]) -> FieldErrors:
    error = FieldErrors(said, {key: said})
    error.extra = [{"row": p.row, "column": p.column, "message": str(p)} for p in problems]
    return error


async def _catalog_matches(principal: Principal, articles: list[str]) -> dict[str, tuple[int, str] | str]:
    """Each article that names a catalog product the buyer may see: by a visible offer's SKU, else the product's
    GTIN, else its name (any case) — as (product id, name); a problem (str) when it names several products. An
    article naming nothing visible is left out: the line is a free-text one (hidden and unknown alike)."""
    wanted = sorted(set(articles))
    if not wanted:
        return {}
    names = sorted({article.casefold() for article in wanted})
    visible, args = visible_offer_sql(buyer_context(principal).buyer.segment_id)
    rows = await Listing.raw(
        f"SELECT DISTINCT l.sku AS sku, p.id AS id, p.gtin AS gtin, p.name AS name {OFFER_FROM}"
        f" WHERE (l.sku IN ({placeholders(wanted)}) OR p.gtin IN ({placeholders(wanted)})"  # type: ignore[arg-type]
        f" OR lower(p.name) IN ({placeholders(names)})) AND {visible}",  # type: ignore[arg-type]
        *wanted, *wanted, *names, *args,
    )
    return line_sheets.match_articles(wanted, [(row["sku"], row["gtin"] or "", row["id"], row["name"]) for row in rows])


# --- saving -------------------------------------------------------------------------------------


async def _problems(principal: Principal, form: Any, read: Any) -> Any:
    """What `read` (the form's own reading) finds, and the products and vendors the buyer may not choose."""
    problems = FormProblems()
    try:
        data = read(form, await db.db_now(), principal.time_zone, principal.locale)
    except FieldErrors as exc:
        problems.fields.update(exc.fields)
        data = None
    product_rows = {n: int(v) for n in filled_rows(form) if _an_id(v := line_values(form, n)["product_id"].strip())}
    unbuyable = await drafting.unbuyable_products(principal.company_id, product_rows.values())
    for n, product_id in product_rows.items():
        if product_id in unbuyable:
            problems.add_line(n, "product_id", "is not a catalog product your company can buy: pick one with the "
                                               "search, or clear it for a free-text line")
    vendor_ids = [int(v) for v in form.getall("vendor_ids", []) if _an_id(v)]
    if refused := await drafting.uninvitable_vendors(principal.company_id, vendor_ids):
        problems.add("vendor_ids", f"{len(refused)} of the chosen vendors cannot be invited: remove "
                                   f"{'it' if len(refused) == 1 else 'them'}")
    problems.raise_any()
    return data


async def rfq_from_page(principal: Principal, form: Any) -> RfqIn:
    """The new-RFQ form as the API's input; every problem at once, by its field (FieldErrors), the catalog's and
    the vendors' too (a product or vendor the buyer may not see is refused like an unknown one)."""
    return await _problems(principal, form, rfq_from_form)  # type: ignore[no-any-return]


async def patch_from_page(principal: Principal, form: Any) -> RfqPatch:
    """The edit-draft form as the API's PATCH, checked as `rfq_from_page`."""
    return await _problems(principal, form, patch_from_form)  # type: ignore[no-any-return]
