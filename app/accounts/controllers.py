"""Accounts over HTTP: the API (tokens, me, companies, users, addresses) and the pages (login, team, invitations)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import partial
from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery, JSONBody, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from app import grids
from app.accounts import addresses, company_grid, services, team_grid
from app.accounts.addresses_rules import AddressKind
from app.accounts.forms import MAX_NAME, invitation_of
from app.accounts.roles import ROLES_BY_KIND, CompanyStatus
from app.accounts.schemas import (
    AddressIn,
    AddressOut,
    AddressPatch,
    CompanyIn,
    CompanyOut,
    MeOut,
    MePatch,
    TokenOut,
    TokenRequest,
    UserIn,
    UserOut,
)
from app.auth import (
    SESSION_COOKIE,
    PrincipalRequest,
    authenticated,
    buyers_only,
    operators_only,
    principal_of,
)
from app.clock import utcnow
from app.errors import Conflict, DomainError, InvalidInput
from app.forms import back_to, beside, errors_by_field
from app.locales import locale_choices, zone_choices
from app.settings import get_settings


def client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


# --- API ----------------------------------------------------------------------------------------


class AuthApi(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/token", status_code=201, summary="Exchange an e-mail and password for a bearer token")
    async def create_token(self, request: Request[Any, Any, Any], data: JSONBody[TokenRequest]) -> TokenOut:
        return TokenOut(token=await services.issue_token(data.email, data.password, client_ip(request)))

    @delete("/token", status_code=204, guards=[authenticated], summary="Revoke the token of this request")
    async def revoke_token(self, request: PrincipalRequest) -> None:
        await services.revoke_token(request.auth)


class MeApi(Controller):
    path = "/api/v1/me"
    tags = ["auth"]
    guards = [authenticated]

    @get("/", summary="The calling user, company, roles, locale and time zone")
    async def me(self, request: PrincipalRequest) -> MeOut:
        return await services.me(principal_of(request))

    @patch("/", summary="Change the caller's locale and time zone (a Babel locale, an IANA zone); 400 says what "
                        "would be accepted")
    async def update_me(self, request: PrincipalRequest, data: JSONBody[MePatch]) -> MeOut:
        return await services.update_place(principal_of(request), _given(data.locale), _given(data.time_zone))


class CompanyApi(Controller):
    path = "/api/v1/companies"
    tags = ["companies"]
    guards = [authenticated]

    @post("/", guards=[operators_only], status_code=201, summary="Register a company (operators)")
    async def create_company(self, data: JSONBody[CompanyIn]) -> CompanyOut:
        return await services.create_company(data)

    @get("/", guards=[operators_only], summary="Every company (operators)")
    async def list_companies(self, request: PrincipalRequest) -> list[CompanyOut]:
        return await services.list_companies(principal_of(request))

    @get("/{company_id:int}", summary="One company the caller may see")
    async def get_company(self, request: PrincipalRequest, company_id: FromPath[int]) -> CompanyOut:
        return await services.get_company(principal_of(request), company_id)

    @post("/{company_id:int}/suspend", guards=[operators_only], status_code=200, summary="Suspend a company")
    async def suspend(self, company_id: FromPath[int]) -> CompanyOut:
        return await services.set_company_status(company_id, CompanyStatus.SUSPENDED)

    @post("/{company_id:int}/reactivate", guards=[operators_only], status_code=200, summary="Lift a suspension")
    async def reactivate(self, company_id: FromPath[int]) -> CompanyOut:
        return await services.set_company_status(company_id, CompanyStatus.ACTIVE)

    @get("/{company_id:int}/users", summary="The users of a company the caller may see")
    async def list_users(self, request: PrincipalRequest, company_id: FromPath[int]) -> list[UserOut]:
        return await services.list_users(principal_of(request), company_id)

    @post(
        "/{company_id:int}/users",
        status_code=201,
        summary="Add a user (operators, or the company's own admin); without a password, invite by e-mail",
    )
    async def create_user(
        self, request: PrincipalRequest, company_id: FromPath[int], data: JSONBody[UserIn]
    ) -> UserOut:
        return await services.create_user(principal_of(request), company_id, data)


class UserApi(Controller):
    path = "/api/v1/users"
    tags = ["companies"]
    guards = [authenticated]

    @post("/{user_id:int}/deactivate", status_code=200, summary="Deactivate a user of your own company")
    async def deactivate(self, request: PrincipalRequest, user_id: FromPath[int]) -> UserOut:
        return await services.deactivate_user(principal_of(request), user_id)


class AddressApi(Controller):
    path = "/api/v1/addresses"
    tags = ["addresses"]
    guards = [authenticated]

    @get("/", summary="The delivery and billing addresses in use of the companies you may see, defaults first")
    async def list_addresses(
        self, request: PrincipalRequest, kind: FromQuery[AddressKind | None] = None,
        company_id: FromQuery[int | None] = None,
    ) -> list[AddressOut]:
        return await addresses.list_addresses(principal_of(request), kind, company_id)

    @post("/", guards=[buyers_only], status_code=201,
          summary="Add an address to your company (its admins); the first of a kind becomes the default")
    async def create_address(self, request: PrincipalRequest, data: JSONBody[AddressIn]) -> AddressOut:
        return await addresses.create_address(principal_of(request), data)

    @get("/{address_id:int}", summary="One address, archived ones included")
    async def get_address(self, request: PrincipalRequest, address_id: FromPath[int]) -> AddressOut:
        return await addresses.get_address(principal_of(request), address_id)

    @patch("/{address_id:int}", summary="Change some fields (its company's admins); is_default true moves the default")
    async def update_address(
        self, request: PrincipalRequest, address_id: FromPath[int], data: JSONBody[AddressPatch]
    ) -> AddressOut:
        return await addresses.update_address(principal_of(request), address_id, data.fields())

    @delete("/{address_id:int}", status_code=204, summary="Archive an address: gone from lists, kept for orders")
    async def archive_address(self, request: PrincipalRequest, address_id: FromPath[int]) -> None:
        await addresses.archive_address(principal_of(request), address_id)


def _given(value: Any) -> Any:
    return None if value is msgspec.UNSET else value


# --- pages --------------------------------------------------------------------------------------


@dataclass
class LoginForm:
    email: str = ""
    password: str = ""
    next: str = ""


@dataclass
class InviteForm:
    email: str = ""
    name: str = ""
    role: str = ""


@dataclass
class PasswordForm:
    password: str = ""
    password_again: str = ""


def _safe_next(target: str) -> str:
    # Only paths on this site: an open redirect after login is a phishing tool.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def session_cookie(token: str, *, expires: bool = False) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().production,
        max_age=0 if expires else int(services.SESSION_MAX.total_seconds()),
    )


class LoginPages(Controller):
    include_in_schema = False

    @get("/login")
    async def login_form(self, request: Request[Any, Any, Any], next: FromQuery[str] = "/") -> Response[Any]:
        if request.user is not None:
            return Redirect(path=_safe_next(next))
        return Template(template_name="accounts/login.html", context={"next": next, "email": ""})

    @post("/login", status_code=303)
    async def login(self, request: Request[Any, Any, Any], data: URLEncodedBody[LoginForm]) -> Response[Any]:
        try:
            user_id = await services.check_credentials(data.email, data.password, client_ip(request))
        except DomainError as exc:
            return Template(
                template_name="accounts/login.html",
                context={"next": data.next, "email": data.email, "error": exc.message},
                status_code=exc.status_code,
                headers=exc.headers,
            )
        token = await services.start_session(user_id)
        return Redirect(path=_safe_next(data.next or "/"), cookies=[session_cookie(token)], status_code=303)

    @post("/logout", status_code=303)
    async def logout(self, request: Request[Any, Any, Any]) -> Response[Any]:
        if request.auth:
            await services.end_session(request.auth)
        flash(request, "You are logged out.", "info")
        return Redirect(path="/login", cookies=[session_cookie("", expires=True)], status_code=303)

    @get("/invitations/{token:str}")
    async def invitation_form(self, token: FromPath[str]) -> Template:
        email = await services.pending_invitation(token)
        return Template(template_name="accounts/invitation.html", context={"email": email, "token": token})

    @post("/invitations/{token:str}", status_code=303)
    async def accept_invitation(
        self, request: Request[Any, Any, Any], token: FromPath[str], data: URLEncodedBody[PasswordForm]
    ) -> Response[Any]:
        email = await services.pending_invitation(token)
        try:
            if data.password != data.password_again:
                raise beside("password_again", "The two passwords differ: type the same password twice.")
            user_id = await services.accept_invitation(token, data.password)
        except DomainError as exc:  # beside the password (never shown again: a password is not echoed)
            return Template(
                template_name="accounts/invitation.html",
                context={"email": email, "token": token, "errors": errors_by_field(exc, "password")},
                status_code=exc.status_code,
            )
        session = await services.start_session(user_id)
        flash(request, "Welcome! Your password is set.", "success")
        return Redirect(path="/", cookies=[session_cookie(session)], status_code=303)


class TeamPages(Controller):
    path = "/team"
    guards = [authenticated]
    include_in_schema = False

    @get("/")
    async def team(self, request: PrincipalRequest) -> Template:
        return await self._page(request)

    @get(["/export.csv", "/export.xlsx"])
    async def export(self, request: PrincipalRequest) -> Response[bytes]:
        principal = principal_of(request)
        return await grids.export_response(partial(team_grid.team_grid, principal),
                                           team_grid.team_spec(principal).read(request.query_params),
                                           request.url.path, team_grid.EXPORT_HEADER, team_grid.export_row,
                                           zone=principal_of(request).time_zone)

    async def _page(
        self, request: PrincipalRequest, form: InviteForm | None = None, errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        principal = principal_of(request)
        grid = await team_grid.team_grid(principal, team_grid.team_spec(principal).read(request.query_params))
        page = grids.page_template("accounts/team.html", grid, max_bulk=grids.MAX_BULK,
                                   assignable_roles=sorted(ROLES_BY_KIND[principal.company_kind]),
                                   form=form or InviteForm(), errors=errors or {}, name_limit=MAX_NAME)
        page.status_code = status_code
        return page

    @post("/invite", status_code=303)
    async def invite(self, request: PrincipalRequest, data: URLEncodedBody[InviteForm]) -> Response[Any]:
        principal = principal_of(request)
        try:
            user = await services.create_user(principal, principal.company_id,
                                              invitation_of(asdict(data), principal.company_kind))
        except DomainError as exc:
            # "Already a member" is about the e-mail typed: beside it, with the conflict's status.
            errors = {"email": exc.message} if isinstance(exc, Conflict) else errors_by_field(exc)
            return await self._page(request, data, errors, exc.status_code)
        flash(request, f"{user.email} is invited; they will receive an e-mail to choose a password.", "success")
        return Redirect(path="/team", status_code=303)

    @post("/bulk", status_code=303)
    async def bulk(self, request: PrincipalRequest) -> Response[Any]:
        form = await request.form()
        back = back_to(form, "/team")
        try:
            ticked = grids.ticked(form.getall("user_id", []), "colleagues")
            if form.get("action") != "deactivate":
                raise InvalidInput("Choose Deactivate for the ticked colleagues.")
            if form.get("confirmed") != "yes":  # as for one: show who, and ask once more
                members = await team_grid.to_deactivate(principal_of(request), ticked)
                return Template(template_name="accounts/deactivate_many_confirm.html",
                                context={"members": members, "back": back})
            done = await team_grid.deactivate_many(principal_of(request), ticked)
            flash(request, f"{done} colleague{'' if done == 1 else 's'} deactivated and logged out everywhere.",
                  "success")
        except DomainError as exc:
            flash(request, exc.message, "error")
        return Redirect(path=back, status_code=303)

    @post("/{user_id:int}/deactivate", status_code=303)
    async def deactivate(
        self, request: PrincipalRequest, user_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        if data.get("confirmed") != "yes":  # it cannot be undone from the pages: show who, and ask once more
            member = await services.user_to_deactivate(principal_of(request), user_id)
            return Template(template_name="accounts/deactivate_confirm.html", context={"member": member})
        user = await services.deactivate_user(principal_of(request), user_id)
        flash(request, f"{user.email} is deactivated and logged out everywhere.", "success")
        return Redirect(path="/team", status_code=303)


@dataclass
class SettingsForm:
    locale: str = ""
    time_zone: str = ""


class SettingsPages(Controller):
    """Where a user picks how money and times are written for them."""

    path = "/settings"
    guards = [authenticated]
    include_in_schema = False

    @get("/")
    async def settings(self, request: PrincipalRequest) -> Template:
        principal = principal_of(request)
        return self._page(SettingsForm(principal.locale, principal.time_zone))

    def _page(self, form: SettingsForm, error: DomainError | None = None) -> Template:
        return Template(
            template_name="accounts/settings.html",
            context={"form": form, "locales": locale_choices(form.locale), "zones": zone_choices(form.time_zone),
                     "error": error.message if error else None, "now": utcnow(),
                     "sample_price": Decimal("1234.0035"), "sample_total": Decimal("1234567.5")},
            status_code=error.status_code if error else 200,
        )

    @post("/", status_code=303)
    async def save(self, request: PrincipalRequest, data: URLEncodedBody[SettingsForm]) -> Response[Any]:
        try:
            await services.update_place(principal_of(request), data.locale, data.time_zone)
        except DomainError as exc:
            return self._page(data, exc)
        flash(request, "Saved: money and times are now shown in your locale and time zone.", "success")
        return Redirect(path="/settings", status_code=303)


class CompanyPages(Controller):
    path = "/operator/companies"
    guards = [operators_only]
    include_in_schema = False

    @get("/")
    async def companies(self, request: Request) -> Template:
        grid = await company_grid.company_grid(company_grid.COMPANY_GRID.read(request.query_params))
        return grids.page_template("accounts/companies.html", grid, max_bulk=grids.MAX_BULK)

    @get(["/export.csv", "/export.xlsx"])
    async def export(self, request: Request) -> Response[bytes]:
        return await grids.export_response(
            company_grid.company_grid, company_grid.COMPANY_GRID.read(request.query_params), request.url.path,
            company_grid.EXPORT_HEADER, company_grid.export_row, zone=principal_of(request).time_zone)

    @post("/bulk", status_code=303)
    async def bulk(self, request: Request) -> Response[Any]:
        form = await request.form()
        statuses = {"suspend": CompanyStatus.SUSPENDED, "reactivate": CompanyStatus.ACTIVE}
        try:
            ticked = grids.ticked(form.getall("company_id", []), "companies")
            if form.get("action") not in statuses:
                raise InvalidInput("Choose Suspend or Reactivate for the ticked companies.")
            done = await company_grid.set_status_of(ticked, statuses[form["action"]])
            flash(request, f"{done} compan{'y' if done == 1 else 'ies'} "
                           f"{'suspended' if form['action'] == 'suspend' else 'reactivated'}.", "success")
        except DomainError as exc:
            flash(request, exc.message, "error")
        return Redirect(path=back_to(form, "/operator/companies"), status_code=303)
