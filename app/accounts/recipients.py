"""Who hears of something: the e-mail addresses of a company's active users by role."""

from __future__ import annotations

from collections.abc import Iterable

from piccolo.apps.user.tables import BaseUser

from app.accounts.roles import Role
from app.accounts.tables import MemberRole


async def addresses_of(company_ids: Iterable[int], roles: frozenset[Role]) -> dict[int, list[str]]:
    """The e-mail addresses of the active users of these companies holding one of `roles`, per company
    (each address once, in the order the database gives them)."""
    ids = sorted(set(company_ids))
    if not ids:
        return {}
    rows = await MemberRole.select(
        MemberRole.membership.company, MemberRole.membership.user.email,
    ).where(
        MemberRole.membership.company.is_in(ids)
        & MemberRole.role.is_in(sorted(r.value for r in roles))
        & (MemberRole.membership.user.active.eq(True))
    )
    found: dict[int, list[str]] = {}
    for row in rows:
        emails = found.setdefault(row["membership.company"], [])
        if row["membership.user.email"] not in emails:
            emails.append(row["membership.user.email"])
    return found


async def author_and_admins(company_id: int, author_id: int | None) -> list[str]:
    """The author of a document (first, if still a user) and the buyer_admins of its company."""
    recipients = list((await addresses_of([company_id], frozenset({Role.BUYER_ADMIN}))).get(company_id, []))
    if author_id is not None:
        row = await BaseUser.select(BaseUser.email).where(BaseUser.id == author_id).first()
        if row and row["email"] and row["email"] not in recipients:
            recipients.insert(0, row["email"])
    return recipients

