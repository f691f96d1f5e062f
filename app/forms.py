"""Reading a page's form into the API's schema, with the schema's bounds: a page gets the same 400, naming the field
and its limit, as an API call with the same values."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from app.errors import InvalidInput, invalid_input

T = TypeVar("T")


def read(values: dict[str, Any], schema: type[T], where: str = "") -> T:
    """`values` as `schema`, checked as the API checks a body (lengths, counts); a 400 naming the field if not.
    (Building the Struct directly would skip its bounds.)"""
    try:
        return msgspec.convert(values, schema)
    except msgspec.ValidationError as exc:
        raise InvalidInput(where + invalid_input(exc).message) from None
