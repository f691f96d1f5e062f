"""Reading a page's form into the API's schema, with the schema's bounds: a page gets the same 400, naming the field
and its limit, as an API call with the same values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from app.errors import InvalidInput, invalid_input

T = TypeVar("T")
# Where a page's form may send the user back to (`next`): a path of this site, never another host ("//evil.example").
_LOCAL_PATH = re.compile(r"/(?![/\\])[^\s]*")


def back_to(form: Mapping[str, str], default: str) -> str:
    """The page to go back to (`next`), if it is one of this site's; else `default`."""
    target = (form.get("next") or "").strip()
    return target if _LOCAL_PATH.fullmatch(target) else default


def read(values: dict[str, Any], schema: type[T], where: str = "") -> T:
    """`values` as `schema`, checked as the API checks a body (lengths, counts); a 400 naming the field if not.
    (Building the Struct directly would skip its bounds.)"""
    try:
        return msgspec.convert(values, schema)
    except msgspec.ValidationError as exc:
        raise InvalidInput(where + invalid_input(exc).message) from None
