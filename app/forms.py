"""Reading a page's form into the API's schema, with the schema's bounds: a page gets the same 400 as an API call with
the same values, and each problem by its form field in the user's words, for the page to show beside the field."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
from litestar.response import Template

from app.errors import DomainError, FieldErrors, InvalidInput, invalid_input
from app.money import MoneyError, typed_amount

T = TypeVar("T")
# Where a page's form may send the user back to (`next`): a path of this site, never another host ("//evil.example").
_LOCAL_PATH = re.compile(r"/(?![/\\])[^\s]*")
_BOUND = re.compile(r"Expected `(str|array|object)` of length (<=|>=) (\d+)")
_NUMBER = re.compile(r"Expected `(int|float|decimal)` (<=|>=|<|>) (-?[\d.]+)")


def back_to(form: Mapping[str, str], default: str) -> str:
    """The page to go back to (`next`), if it is one of this site's; else `default`."""
    target = (form.get("next") or "").strip()
    return target if _LOCAL_PATH.fullmatch(target) else default


def read(values: dict[str, Any], schema: type[T], where: str = "", *,
         fields: Mapping[str, tuple[str, str]] | None = None) -> T:
    """`values` as `schema`, checked as the API checks a body (lengths, counts); a 400 naming the field if not.
    (Building the Struct directly would skip its bounds.) With `fields` (the schema's field → the form's field and
    its label), the 400 is FieldErrors beside that form field: "Reason: must be at most 1,000 characters"."""
    try:
        return msgspec.convert(values, schema)
    except msgspec.ValidationError as exc:
        message, _, path = str(exc).partition(" - at `$")
        name = path.strip("`").lstrip(".")
        if fields and name in fields:
            field, label = fields[name]
            raise beside(field, f"{label}: {in_words(message)}") from None
        raise InvalidInput(where + invalid_input(exc).message) from None


def max_lengths(schema: type) -> dict[str, int]:
    """Each text field's `max_length` in `schema`: the limits a form shows beside its fields and gives the browser
    (`maxlength`), read from the schema that checks them."""
    limits = {}
    for field in msgspec.inspect.type_info(schema).fields:  # type: ignore[attr-defined]
        kind = field.type.type if isinstance(field.type, msgspec.inspect.Metadata) else field.type
        if isinstance(kind, msgspec.inspect.StrType) and kind.max_length is not None:
            limits[field.name] = kind.max_length
    return limits


def too_long(values: Mapping[str, Any], schema: type, fields: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """Every text of `values` past its bound in `schema`, beside its form field (`fields`: the schema's field → the
    form's field and its label), all at once: "Note: must be at most 2,000 characters (this one has 2,417)"."""
    limits = max_lengths(schema)
    return {fields[name][0]: f"{fields[name][1]}: must be at most {limits[name]:,} characters (this one has "
                             f"{len(text):,})."
            for name, text in values.items()
            if name in fields and name in limits and isinstance(text, str) and len(text) > limits[name]}


def in_words(message: str) -> str:
    """msgspec's complaint about one value, as a form says it beside the field: "must be at most 1,000
    characters", "must be 1 or more"."""
    if match := _BOUND.fullmatch(message):
        kind, bound, limit = match.groups()
        if kind == "str":
            if bound == ">=" and limit == "1":
                return "must not be empty"
            return f"must be {'at least' if bound == '>=' else 'at most'} {int(limit):,} characters"
        return f"must have {'at least' if bound == '>=' else 'at most'} {int(limit):,} items"
    if match := _NUMBER.fullmatch(message):
        _, bound, limit = match.groups()
        return {"<=": f"must be {limit} or less", ">=": f"must be {limit} or more",
                "<": f"must be less than {limit}", ">": f"must be more than {limit}"}[bound]
    if message.startswith("Expected `int`"):
        return "must be a whole number"
    if message.startswith("Expected `decimal`") or message.startswith("Invalid decimal"):
        return "must be a number such as 12.50"
    if message.startswith("Expected `date`") or message.startswith("Invalid RFC3339"):
        return "must be a date such as 2027-01-31"
    return message[:1].lower() + message[1:].rstrip(".")


def amount(text: str, locale: str, field: str, label: str) -> str:
    """A money field typed as its reader writes amounts (`money.typed_amount`: "1.234,50" in German), as the API's
    dot-decimal text; "" when empty; a refusal beside `field` that shows how to type it."""
    try:
        return typed_amount(text, locale)
    except MoneyError as exc:
        raise beside(field, f"{label}: {exc}") from None


def beside(field: str, message: str) -> FieldErrors:
    """One problem, shown beside the form field `field` (and said whole to an API caller)."""
    return FieldErrors(message, {field: message})


def errors_by_field(error: DomainError | None, field: str = "form", *, conflicts: bool = False,
                    named: Mapping[str, tuple[str, str]] | None = None) -> dict[str, str]:
    """What a page shows beside each field for `error`: its own fields if it names them; else a refused input
    (400) beside `field`, the form's field the refusal is about; anything else (a 409: the thing's state, not the
    input) for the whole form ("form"), unless `conflicts` says a 409 is about the value typed too (a deadline that
    may not move there). `named` (an API field → the form's field and its label): a service's message that starts
    with the API's name of a field ("currency: …", "valid_to must be …") goes beside that field, said with its
    label."""
    if error is None:
        return {}
    if isinstance(error, FieldErrors):
        return dict(error.fields)
    for name, (form_field, label) in (named or {}).items():
        if error.message.startswith((name + " ", name + ":")) and isinstance(error, InvalidInput):
            return {form_field: label + error.message.removeprefix(name)}
    beside_field = isinstance(error, InvalidInput) or (conflicts and error.status_code == 409)
    return {field if beside_field else "form": error.message}


# --- Confirmations ------------------------------------------------------------------------------------


CONFIRMED = "yes"


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What a confirmation page asks: its question (`title`), the things it is about (`items`, one line each), what
    follows (`facts`), where "Yes" posts with which values (`action`, `hidden`) and where "No" goes (`back`)."""

    title: str
    facts: Sequence[str]
    action: str
    yes: str
    back: str
    no: str = "No, go back"
    hidden: Sequence[tuple[str, str]] = ()
    items: Sequence[str] = ()
    danger: bool = True


def confirmed(form: Mapping[str, Any]) -> bool:
    """The post comes from a confirmation page's "Yes" (a first post, or a forged one-click post, does not)."""
    return form.get("confirmed") == CONFIRMED


def confirmation(ask: Confirmation) -> Template:
    """The one confirmation page (templates/confirm.html): nothing is done until its "Yes" posts again."""
    return Template(template_name="confirm.html", context={"ask": ask})
