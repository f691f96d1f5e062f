"""The accounts pages' forms read into the API's schemas, every problem at once and beside its field."""

from __future__ import annotations

from collections.abc import Mapping

from app.accounts.roles import CompanyKind, RoleError, validate_roles
from app.accounts.schemas import UserIn
from app.accounts.services import normalize_email
from app.errors import FieldErrors, InvalidInput
from app.forms import read as read_form

MAX_NAME = 200
INVITE_FIELDS = {"email": ("email", "E-mail"), "name": ("name", "Name"), "roles": ("role", "Role")}


def invitation_of(form: Mapping[str, str], kind: CompanyKind) -> UserIn:
    """The team page's invitation (name, email, role) as the API's UserIn; FieldErrors naming each field wrong."""
    errors: dict[str, str] = {}
    email, name, role = form.get("email", ""), form.get("name", "").strip(), form.get("role", "")
    try:
        email = normalize_email(email)
    except InvalidInput:
        errors["email"] = "E-mail: enter an address such as ana@acme.example."
    if not name:
        errors["name"] = "Name: enter the colleague's name."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Name: must be at most {MAX_NAME:,} characters (this one has {len(name):,})."
    try:
        validate_roles(kind, [role])
    except RoleError as exc:
        errors["role"] = f"Role: {exc}."
    if errors:
        raise FieldErrors(" ".join(errors.values()), errors)
    return read_form({"email": email, "name": name, "roles": [role]}, UserIn, fields=INVITE_FIELDS)
