"""The team page as a grid: the users of the caller's own company by name, e-mail, role and status; sorted, searched,
filtered and paged in SQL, and exported. No other company's users, whoever asks."""

from __future__ import annotations

from piccolo.columns.combination import Where

from app import db, grids
from app.accounts.roles import ROLES_BY_KIND
from app.accounts.schemas import UserOut
from app.accounts.services import deactivate_user, roles_by_membership, user_to_deactivate
from app.accounts.tables import MemberRole, Membership
from app.auth import Principal
from app.errors import DomainError
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState

ACTIVE, INACTIVE = "active", "inactive"
EXPORT_HEADER = ("Name", "E-mail", "Roles", "Status")
_ORDER = {"name": (Membership.name,), "email": (Membership.user.email,), "status": (Membership.user.active,)}


def team_spec(principal: Principal) -> GridSpec:
    """The team grid of the caller's kind of company (its roles are the role filter's choices)."""
    roles = tuple((role.value, role.value.replace("_", " ")) for role in sorted(ROLES_BY_KIND[principal.company_kind]))
    return GridSpec(
        path="/team",
        columns=(GridColumn("select", "Select", sortable=False), GridColumn("name", "Name"),
                 GridColumn("email", "E-mail"), GridColumn("roles", "Roles", sortable=False),
                 GridColumn("status", "Status"), GridColumn("actions", "Actions", sortable=False)),
        default_sort="name", search_label="Name or e-mail",
        filters=(GridFilter("role", "Role", roles), GridFilter("status", "Status", ((ACTIVE, "active"),
                                                                                     (INACTIVE, "inactive")))),
        per_page=50, export_name="team",
    )


async def team_grid(principal: Principal, state: GridState) -> GridPage:
    """The users of the caller's company as the grid's state selects and orders them, each with its roles."""
    mine = Membership.company == principal.company_id
    query = Membership.select(Membership.id, Membership.user.id, Membership.user.email, Membership.user.active,
                              Membership.name).where(mine)
    count = Membership.count().where(mine)
    conditions: list[Where | None] = [grids.search((Membership.name, Membership.user.email), state.q)]
    if state.filter("role"):
        holders = await MemberRole.select(MemberRole.membership).where(
            (MemberRole.role == state.filter("role")) & (MemberRole.membership.company == principal.company_id))
        conditions.append(Membership.id.is_in([row["membership"] for row in holders] or [-1]))
    if state.filter("status"):
        conditions.append(Membership.user.active.eq(state.filter("status") == ACTIVE))
    query, count = grids.narrowed(query, count, conditions)
    rows = await grids.paged(grids.ordered(query, state, _ORDER, Membership.id), state)
    roles = await roles_by_membership([row["id"] for row in rows])
    return state.page_of([
        UserOut(id=row["user.id"], email=row["user.email"], name=row["name"], company_id=principal.company_id,
                roles=sorted(roles.get(row["id"], [])), active=row["user.active"])
        for row in rows
    ], await count)


def export_row(user: UserOut) -> tuple[object, ...]:
    return (user.name, user.email, ", ".join(user.roles), ACTIVE if user.active else INACTIVE)


async def to_deactivate(principal: Principal, user_ids: list[int]) -> list[UserOut]:
    """The ticked colleagues as the confirmation shows them, each checked as its deactivation is."""
    try:
        return [await user_to_deactivate(principal, user_id) for user_id in user_ids]
    except DomainError as exc:
        raise type(exc)(f"{exc.message} Nothing changed.") from None


async def deactivate_many(principal: Principal, user_ids: list[int]) -> int:
    """Deactivate every ticked colleague, all or none, with the checks of one at a time (an admin of the company;
    never oneself; another company's user is missing)."""
    async with db.transaction():
        for user_id in user_ids:
            try:
                await deactivate_user(principal, user_id)
            except DomainError as exc:
                raise type(exc)(f"{exc.message} Nothing changed.") from None
    return len(user_ids)
