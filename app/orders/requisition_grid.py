"""The buyer's requisition lists page as a grid: the caller's own lists and its company's shared ones (the same
rule as `requisition_lists.list_head`), sorted, searched, filtered and paged in SQL, and exported."""

from __future__ import annotations

from piccolo.query.methods.select import Count
from piccolo.querystring import QueryString

from app import grids
from app.accounts.tables import Membership
from app.auth import Principal
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.orders.requisition_lists import ListHead, may_change
from app.orders.requisition_schemas import RequisitionListSummaryOut
from app.orders.tables import RequisitionList, RequisitionListLine

MINE, COLLEAGUES = "mine", "colleagues"
SHARED, PRIVATE = "shared", "private"
EXPORT_HEADER = ("List", "Shared", "Kept by", "Lines", "Created (UTC)", "Updated (UTC)")

REQUISITION_GRID = GridSpec(
    path="/requisition-lists",
    columns=(GridColumn("name", "List"), GridColumn("shared", "Shared"), GridColumn("owner", "Kept by"),
             GridColumn("lines", "Lines"), GridColumn("updated", "Updated")),
    default_sort="name", search_label="List name",
    filters=(GridFilter("kept", "Kept by", ((MINE, "you"), (COLLEAGUES, "colleagues"))),
             GridFilter("shared", "Shared", ((SHARED, "shared with your company"), (PRIVATE, "private")))),
    per_page=25, export_name="requisition-lists",
)

_OWNER_NAME = RequisitionList.owner.join_on(Membership.user).name
# Sorting by the number of lines: counted per list in the statement that pages them (an index on the list answers).
_LINE_COUNT = QueryString(
    "(SELECT COUNT(*) FROM requisition_list_line WHERE requisition_list_line.requisition_list = requisition_list.id)"
)
_ORDER = {"name": (RequisitionList.name,), "shared": (RequisitionList.shared,), "owner": (_OWNER_NAME,),
          "lines": (_LINE_COUNT,), "updated": (RequisitionList.updated_at,)}


async def requisition_grid(principal: Principal, state: GridState) -> GridPage:
    """The lists the caller may see (its own, and its company's shared ones) as the grid's state selects them."""
    visible = (RequisitionList.company == principal.company_id) & (
        (RequisitionList.owner == principal.user_id) | RequisitionList.shared.eq(True))
    query = RequisitionList.select(
        RequisitionList.id, RequisitionList.name, RequisitionList.shared, RequisitionList.owner,
        RequisitionList.created_at, RequisitionList.updated_at, _OWNER_NAME.as_alias("owner_name"),
    ).where(visible)
    count = RequisitionList.count().where(visible)
    conditions = [grids.search((RequisitionList.name,), state.q)]
    if state.filter("kept") == MINE:
        conditions.append(RequisitionList.owner == principal.user_id)
    elif state.filter("kept") == COLLEAGUES:
        conditions.append(RequisitionList.owner.is_null() | (RequisitionList.owner != principal.user_id))
    if state.filter("shared"):
        conditions.append(RequisitionList.shared.eq(state.filter("shared") == SHARED))
    query, count = grids.narrowed(query, count, conditions)
    rows = await grids.paged(grids.ordered(query, state, _ORDER, RequisitionList.id), state)
    ids = [row["id"] for row in rows]
    lines = {
        row["requisition_list"]: row["count"]
        for row in await RequisitionListLine.select(RequisitionListLine.requisition_list, Count())
        .where(RequisitionListLine.requisition_list.is_in(ids)).group_by(RequisitionListLine.requisition_list)
    } if ids else {}
    items = []
    for row in rows:
        head = ListHead(id=row["id"], name=row["name"], shared=bool(row["shared"]), owner_id=row["owner"],
                        created_at=row["created_at"], updated_at=row["updated_at"])
        items.append(RequisitionListSummaryOut(
            id=head.id, name=head.name, shared=head.shared, owner_id=head.owner_id,
            owner=(row["owner_name"] or "") if head.owner_id is not None else "",
            mine=head.owner_id == principal.user_id, can_change=may_change(principal, head),
            line_count=lines.get(head.id, 0), created_at=head.created_at, updated_at=head.updated_at))
    return state.page_of(items, await count)


def export_row(summary: RequisitionListSummaryOut) -> tuple[object, ...]:
    owner = "You" if summary.mine else summary.owner or "a former colleague"
    return (summary.name, "shared" if summary.shared else "private", owner, summary.line_count, summary.created_at,
            summary.updated_at)
