"""The accounts rules with their queries: companies, users, logins, sessions and tokens."""

from __future__ import annotations

import asyncio
import hmac
import re
import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from piccolo.apps.user.tables import BaseUser
from piccolo.columns.combination import WhereRaw
from piccolo_api.session_auth.tables import SessionsBase

from app import db
from app.accounts.addresses_rules import AddressError, parse_country
from app.accounts.roles import CompanyKind, CompanyStatus, Role, RoleError, validate_roles
from app.accounts.schemas import CompanyIn, CompanyOut, MeOut, UserIn, UserOut
from app.accounts.tables import ApiToken, Company, Invitation, LoginFailure, MemberRole, Membership
from app.auth import Principal, digest, require_company_admin, require_visible_company, scope_to_companies
from app.clock import utcnow
from app.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, TooManyAttempts
from app.locales import Place, PlaceError, parse_locale, parse_time_zone, place_for_country
from app.money import MoneyError, parse_currency
from app.notifications import services as outbox

MIN_PASSWORD_LENGTH = 8
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_CLIENT = 30
SESSION_IDLE = timedelta(hours=8)
SESSION_MAX = timedelta(days=7)
INVITATION_VALID_FOR = timedelta(days=7)
# A stored password no input can match: invited users have none until they accept.
UNUSABLE_PASSWORD = "pbkdf2_sha256$1$unusable$!"  # noqa: S105 - not a password: a hash nothing matches
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- pure helpers -------------------------------------------------------------------------------


def normalize_email(raw: str) -> str:
    """E-mail addresses are one identity whatever their case: stored and compared lower-case."""
    email = (raw or "").strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidInput(f"{raw!r} is not an e-mail address")
    return email


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if len(password) > BaseUser._max_password_length:
        raise InvalidInput(f"The password must be at most {BaseUser._max_password_length} characters long.")


async def hash_password(password: str) -> str:
    # PBKDF2 with 600,000 rounds takes a good part of a second: keep it off the event loop.
    return await asyncio.to_thread(BaseUser.hash_password, password)


async def _password_matches(password: str, stored: str) -> bool:
    try:
        _, iterations, salt, _ = BaseUser.split_stored_password(stored)
        rounds = int(iterations)
    except ValueError:
        return False
    candidate = await asyncio.to_thread(BaseUser.hash_password, password, salt, rounds)
    return hmac.compare_digest(candidate, stored)


# --- companies ----------------------------------------------------------------------------------


def _company_out(row: dict) -> CompanyOut:
    return CompanyOut(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        country=row["country"],
        currency=row["currency"],
        tax_id=row["tax_id"],
        status=row["status"],
        parent_id=row["parent"],
        created_at=row["created_at"],
    )


def _parse_company(data: CompanyIn) -> dict:
    try:
        kind = CompanyKind(data.kind)
    except ValueError:
        raise InvalidInput(f"kind must be one of {', '.join(k.value for k in CompanyKind)}") from None
    try:
        country = parse_country(data.country)
    except AddressError as exc:
        raise InvalidInput(str(exc)) from None
    try:
        currency = parse_currency(data.currency)
    except MoneyError as exc:
        raise InvalidInput(str(exc)) from None
    name = data.name.strip()
    if not name:
        raise InvalidInput("name must not be blank")
    return {"name": name, "kind": kind, "country": country, "currency": currency, "tax_id": data.tax_id.strip()}


async def create_company(data: CompanyIn) -> CompanyOut:
    values = _parse_company(data)
    async with db.transaction():
        if data.parent_id is not None:
            parent = await Company.select(Company.kind).where(Company.id == data.parent_id).first()
            if parent is None:
                raise InvalidInput(f"parent_id {data.parent_id} is not a company")
            if parent["kind"] != values["kind"]:
                raise InvalidInput("a subsidiary must be the same kind of company as its group")
        if await find_company_id(values["kind"], values["name"]) is not None:
            raise Conflict(f"A {values['kind']} company named {values['name']!r} already exists.")
        company = Company(
            name=values["name"],
            kind=values["kind"].value,
            country=values["country"],
            currency=values["currency"],
            tax_id=values["tax_id"],
            parent=data.parent_id,
            created_at=utcnow(),
        )
        await company.save()
    return await _get_company(company.id)


async def find_company_id(kind: str, name: str) -> int | None:
    """The company of this kind with this name, whatever its letter case."""
    row = await Company.select(Company.id).where(
        WhereRaw("kind = {} AND lower(name) = {}", str(kind), name.strip().lower())
    ).first()
    return row["id"] if row else None


async def _get_company(company_id: int) -> CompanyOut:
    row = await Company.select().where(Company.id == company_id).first()
    if row is None:
        raise NotFound("No such company.")
    return _company_out(row)


async def get_company(principal: Principal, company_id: int) -> CompanyOut:
    require_visible_company(principal, company_id)
    return await _get_company(company_id)


async def list_companies(principal: Principal) -> list[CompanyOut]:
    query = scope_to_companies(Company.select(), Company.id, principal).order_by(Company.name)
    return [_company_out(row) for row in await query]


async def set_company_status(company_id: int, status: CompanyStatus) -> CompanyOut:
    """Suspending a company logs all its users out and revokes their tokens at once."""
    async with db.transaction():
        company = await Company.select(Company.id).where(Company.id == company_id).first()
        if company is None:
            raise NotFound("No such company.")
        await Company.update({Company.status: status.value}).where(Company.id == company_id)
        if status is CompanyStatus.SUSPENDED:
            user_ids = [
                row["user"]
                for row in await Membership.select(Membership.user).where(Membership.company == company_id)
            ]
            await _end_access(user_ids)
    return await _get_company(company_id)


async def _end_access(user_ids: list[int]) -> None:
    if not user_ids:
        return
    await SessionsBase.delete().where(SessionsBase.user_id.is_in(user_ids))
    await Invitation.delete().where(Invitation.user.is_in(user_ids) & Invitation.accepted_at.is_null())
    await ApiToken.update({ApiToken.revoked_at: utcnow()}).where(
        ApiToken.user.is_in(user_ids) & ApiToken.revoked_at.is_null()
    )


# --- users --------------------------------------------------------------------------------------


async def create_user(principal: Principal | None, company_id: int, data: UserIn) -> UserOut:
    """Add a user to a company: with a password the account is ready; without one the person
    is invited by e-mail to choose it. `principal` None is the command line (an operator)."""
    if principal is not None:
        require_company_admin(principal, company_id)
    email = normalize_email(data.email)
    name = data.name.strip()
    if not name:
        raise InvalidInput("name must not be blank")
    if data.password is not None:
        check_password_strength(data.password)
    company = await Company.select(Company.kind, Company.status, Company.country).where(
        Company.id == company_id).first()
    if company is None:
        raise NotFound("No such company.")
    try:
        roles = validate_roles(CompanyKind(company["kind"]), data.roles)
    except RoleError as exc:
        raise InvalidInput(str(exc)) from None
    place = _place(data.locale, data.time_zone, place_for_country(company["country"]))
    password = await hash_password(data.password) if data.password is not None else UNUSABLE_PASSWORD
    is_operator = Role.OPERATOR in roles
    invitation_token = None
    async with db.transaction():
        if await BaseUser.exists().where(BaseUser.username == email):
            raise Conflict(f"A user with the e-mail {email} already exists.")
        user = BaseUser(
            username=email,
            email=email,
            password=password,
            first_name=name[:255],
            active=data.password is not None,
            # piccolo-admin lets in only `admin` users: exactly the operators.
            admin=is_operator,
            superuser=is_operator,
        )
        await user.save()
        membership = Membership(user=user.id, company=company_id, name=name, locale=place.locale,
                                time_zone=place.time_zone, created_at=utcnow())
        await membership.save()
        await MemberRole.insert(*[MemberRole(membership=membership.id, role=role.value) for role in roles])
        if data.password is None:
            invitation_token = secrets.token_urlsafe(32)
            await Invitation(
                user=user.id,
                invited_by=principal.user_id if principal else None,
                token_hash=digest(invitation_token),
                expires_at=utcnow() + INVITATION_VALID_FOR,
            ).save()
            inviter = principal.name if principal else "The marketplace team"
            await outbox.queue_email(
                to=email,
                subject="You are invited to the marketplace",
                body=(
                    f"Hello {name},\n\n{inviter} invited you to join the marketplace.\n"
                    "Choose your password here (the link works for 7 days):"
                ),
                link=f"/invitations/{invitation_token}",
            )
    return UserOut(
        id=user.id,
        email=email,
        name=name,
        company_id=company_id,
        roles=sorted(role.value for role in roles),
        active=data.password is not None,
        invited=invitation_token is not None,
    )


async def list_users(principal: Principal, company_id: int) -> list[UserOut]:
    require_visible_company(principal, company_id)
    rows = await Membership.select(
        Membership.id, Membership.user.id, Membership.user.email, Membership.user.active, Membership.name
    ).where(Membership.company == company_id).order_by(Membership.name)
    roles = await roles_by_membership([row["id"] for row in rows])
    return [
        UserOut(
            id=row["user.id"],
            email=row["user.email"],
            name=row["name"],
            company_id=company_id,
            roles=sorted(roles.get(row["id"], [])),
            active=row["user.active"],
        )
        for row in rows
    ]


async def roles_by_membership(membership_ids: list[int]) -> dict[int, list[str]]:
    if not membership_ids:
        return {}
    result: dict[int, list[str]] = {}
    for row in await MemberRole.select(MemberRole.membership, MemberRole.role).where(
        MemberRole.membership.is_in(membership_ids)
    ):
        result.setdefault(row["membership"], []).append(row["role"])
    return result


async def _deactivatable(principal: Principal, user_id: int) -> int:
    """The company of a user the caller may deactivate; the same 404 as a missing user when it may not see them."""
    membership = await Membership.select(Membership.company).where(Membership.user == user_id).first()
    if membership is None:
        raise NotFound("No such user.")
    require_visible_company(principal, membership["company"], "user")
    require_company_admin(principal, membership["company"])
    if user_id == principal.user_id:
        raise Conflict("You cannot deactivate yourself; ask another admin.")
    return membership["company"]


async def user_to_deactivate(principal: Principal, user_id: int) -> UserOut:
    """The user as the confirmation before deactivating shows them, checked as the deactivation itself is."""
    company_id = await _deactivatable(principal, user_id)
    return next(user for user in await list_users(principal, company_id) if user.id == user_id)


async def deactivate_user(principal: Principal, user_id: int) -> UserOut:
    """The user can no longer log in; their sessions and tokens end at once."""
    async with db.transaction():
        company_id = await _deactivatable(principal, user_id)
        await BaseUser.update({BaseUser.active: False}).where(BaseUser.id == user_id)
        await _end_access([user_id])
    users = await list_users(principal, company_id)
    return next(user for user in users if user.id == user_id)


# --- logging in ---------------------------------------------------------------------------------


async def _throttle(email: str, client_ip: str) -> None:
    since = utcnow() - LOGIN_WINDOW
    by_email = await LoginFailure.count().where((LoginFailure.email == email) & (LoginFailure.failed_at >= since))
    by_client = await LoginFailure.count().where(
        (LoginFailure.client_ip == client_ip) & (LoginFailure.failed_at >= since)
    )
    if by_email >= MAX_FAILURES_PER_EMAIL or by_client >= MAX_FAILURES_PER_CLIENT:
        raise TooManyAttempts(
            "Too many failed logins. Wait 15 minutes before trying again.",
            headers={"Retry-After": str(int(LOGIN_WINDOW.total_seconds()))},
        )


async def check_credentials(email: str, password: str, client_ip: str) -> int:
    """The user id for a correct e-mail and password of an active user of an active company.

    Every failure answers the same message, so the answer does not tell which e-mails exist;
    failures are counted per e-mail and per client, and too many lock logins out for a while.
    """
    try:
        email = normalize_email(email)
    except InvalidInput:
        email = (email or "").strip().lower()[:254]
    await _throttle(email, client_ip)
    row = await BaseUser.select(BaseUser.id, BaseUser.password, BaseUser.active).where(
        BaseUser.username == email
    ).first()
    if row is None:
        await hash_password(password)  # the same time as a wrong password: no user enumeration
        matches = False
    else:
        matches = await _password_matches(password, row["password"])
    if matches and row is not None and row["active"] and await _company_active(row["id"]):
        await LoginFailure.delete().where(LoginFailure.email == email)
        await BaseUser.update({BaseUser.last_login: datetime.now()}).where(BaseUser.id == row["id"])
        return row["id"]
    await LoginFailure(email=email, client_ip=client_ip[:64], failed_at=utcnow()).save()
    raise NotAuthenticated("Wrong e-mail or password, or the account is not active.")


async def _company_active(user_id: int) -> bool:
    row = await Membership.select(Membership.company.status).where(Membership.user == user_id).first()
    return row is not None and row["company.status"] == CompanyStatus.ACTIVE.value


async def start_session(user_id: int) -> str:
    # SessionsBase keeps naive local times (it compares with datetime.now()): follow its rule.
    now = datetime.now()
    session = await SessionsBase.create_session(
        user_id, expiry_date=now + SESSION_IDLE, max_expiry_date=now + SESSION_MAX
    )
    return session.token


async def end_session(token: str) -> None:
    await SessionsBase.remove_session(token)


async def issue_token(email: str, password: str, client_ip: str) -> str:
    user_id = await check_credentials(email, password, client_ip)
    token = secrets.token_urlsafe(32)
    await ApiToken(user=user_id, token_hash=digest(token), created_at=utcnow()).save()
    return token


async def revoke_token(token: str) -> None:
    await ApiToken.update({ApiToken.revoked_at: utcnow()}).where(
        (ApiToken.token_hash == digest(token)) & ApiToken.revoked_at.is_null()
    )


async def me(principal: Principal) -> MeOut:
    return MeOut(
        id=principal.user_id,
        email=principal.email,
        name=principal.name,
        roles=sorted(role.value for role in principal.roles),
        company=await _get_company(principal.company_id),
        locale=principal.locale,
        time_zone=principal.time_zone,
    )


def _place(locale: str | None, time_zone: str | None, current: Place) -> Place:
    """`current` with what was given instead, each checked: a 400 names what is wrong and what would do."""
    problems = []
    try:
        locale = current.locale if locale is None else parse_locale(locale)
    except PlaceError as exc:
        problems.append(f"locale: {exc}")
    try:
        time_zone = current.time_zone if time_zone is None else parse_time_zone(time_zone)
    except PlaceError as exc:
        problems.append(f"time_zone: {exc}")
    if problems:
        raise InvalidInput(" ".join(problems))
    return Place(locale, time_zone)  # type: ignore[arg-type]


async def update_place(principal: Principal, locale: str | None, time_zone: str | None) -> MeOut:
    """The caller's own locale and time zone changed (None: kept)."""
    place = _place(locale, time_zone, principal.place)
    await Membership.update({Membership.locale: place.locale, Membership.time_zone: place.time_zone}).where(
        Membership.user == principal.user_id
    )
    return await me(replace(principal, locale=place.locale, time_zone=place.time_zone))


# --- invitations --------------------------------------------------------------------------------


async def pending_invitation(token: str) -> str:
    """The invited e-mail for a valid invitation link."""
    row = await Invitation.select(Invitation.user.email).where(
        (Invitation.token_hash == digest(token))
        & Invitation.accepted_at.is_null()
        & (Invitation.expires_at > utcnow())
    ).first()
    if row is None:
        raise NotFound("This invitation link is unknown, used or expired. Ask your admin for a new one.")
    return row["user.email"]


async def accept_invitation(token: str, password: str) -> int:
    """Set the invited user's password and activate the account; the link works once."""
    check_password_strength(password)
    hashed = await hash_password(password)
    async with db.transaction():
        row = await Invitation.select(Invitation.id, Invitation.user).where(
            (Invitation.token_hash == digest(token))
            & Invitation.accepted_at.is_null()
            & (Invitation.expires_at > utcnow())
        ).first()
        if row is None:
            raise NotFound("This invitation link is unknown, used or expired. Ask your admin for a new one.")
        await Invitation.update({Invitation.accepted_at: utcnow()}).where(Invitation.id == row["id"])
        await BaseUser.update({BaseUser.password: hashed, BaseUser.active: True}).where(
            BaseUser.id == row["user"]
        )
    return row["user"]


async def purge_login_failures(older_than: timedelta = timedelta(days=1)) -> int:
    """Forget failed logins no throttle window looks at any more."""
    cutoff = utcnow() - older_than
    rows = await LoginFailure.delete().where(LoginFailure.failed_at < cutoff).returning(LoginFailure.id)
    return len(rows)
