"""The back office's audit trail: each write an operator makes in piccolo-admin, logged with the row before and after.

piccolo-admin's own hooks run before its write, so an entry written there would also stand for a write that then
failed. This wraps the whole back office instead: a write request runs in one unit of work that reads the row
before, lets piccolo-admin answer, and — only if it answered with success — reads the row after and logs it in the
curation log (`CurationEvent`, read-only in the back office). Anything else is rolled back, and the answer is held
until the commit, so no write is kept without its entry and no entry without its write. A write this module cannot
log is refused rather than let through.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Column, OnDelete
from piccolo.table import Table
from piccolo_api.session_auth.tables import SessionsBase
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import db
from app.auth import SESSION_COOKIE
from app.catalog.tables import CurationEvent, Listing, Product
from app.curation import events, rules
from app.curation.store import locked

log = logging.getLogger(__name__)

CREATE = "back_office.create"
UPDATE = "back_office.update"
DELETE = "back_office.delete"
FORM = "back_office.form"

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A delete also removes the rows that reference it with ON DELETE CASCADE (a listing's price list entries): its entry
# counts them per table and keeps the first ones in full, so the reads stay bounded whatever the data.
CASCADED_ROWS_KEPT = 50
_CASCADE_DEPTH = 4

# Paths inside the back office (the mount's prefix is not part of them), as piccolo-admin 1.x routes them.
_TABLE_WRITE = re.compile(r"/api/tables/(?P<table>[^/]+)/?(?:(?P<row>[^/]+)/?)?")
_FORM = re.compile(r"/api/forms/(?P<form>[^/]+)/?")
_CHANGE_PASSWORD = re.compile(r"/api/change-password/?")
# Writes that change no row an operator manages: logging in and out (sessions), and storing an uploaded media file
# (the row that names the file is written, and logged, by the table write that follows).
_NOT_LOGGED = re.compile(r"/public/.*|/api/media/.*")
# Words that keep a form field's value out of the log.
_SECRET_FIELD = re.compile(r"password|secret|token", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Write:
    """A write request the log understands: which row it changes (a create's row is known from the answer)."""

    action: str
    table: type[Table] | None = None
    row_id: Any = None
    form: str | None = None
    own_password: bool = False

    def succeeded(self, status: int) -> bool:
        # A password change answers with a redirect to the login page.
        return 200 <= status < (400 if self.own_password else 300)


class BackOfficeAudit:
    """The back office (an ASGI app) with every write it takes logged, or refused when it cannot be."""

    def __init__(self, app: ASGIApp, tables: Iterable[type[Table]]) -> None:
        self.app = app
        self.tables = {table._meta.tablename: table for table in tables}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        path = _inner_path(scope)
        if _NOT_LOGGED.fullmatch(path):
            await self.app(scope, receive, send)
            return
        write = self._recognise(scope["method"], path)
        if write is None:
            await JSONResponse({"detail": "The back office refuses this write: its audit log cannot record it."},
                               status_code=405)(scope, receive, send)
            return
        await self._logged(write, scope, receive, send)

    def _recognise(self, method: str, path: str) -> _Write | None:
        if match := _TABLE_WRITE.fullmatch(path):
            table = self.tables.get(match["table"])
            if table is None:
                return None
            if match["row"] is None:
                # A delete of the whole list by filter (PiccoloCRUD's bulk delete, off in piccolo-admin, whose list
                # deletes the selected rows one by one) would need the filter's rows: refused.
                return _Write(CREATE, table) if method == "POST" else None
            try:
                row_id = table._meta.primary_key.value_type(match["row"])
            except ValueError:
                return None
            return {"PUT": _Write(UPDATE, table, row_id), "PATCH": _Write(UPDATE, table, row_id),
                    "DELETE": _Write(DELETE, table, row_id)}.get(method)
        if method == "POST" and (match := _FORM.fullmatch(path)):
            return _Write(FORM, form=match["form"])
        if method == "POST" and _CHANGE_PASSWORD.fullmatch(path):
            return _Write(UPDATE, BaseUser, own_password=True)
        return None

    async def _logged(self, write: _Write, scope: Scope, receive: Receive, send: Send) -> None:
        answer = _HeldAnswer(send)
        body = _ReadBody(receive)
        answered = False
        try:
            async with db.transaction():
                actor = await _operator(scope)
                if write.own_password:
                    write = replace(write, row_id=actor)
                before = await _read(write.table, write.row_id, lock=True) if write.row_id is not None else None
                cascaded = await _cascaded(write.table, write.row_id) if write.action == DELETE else []
                await self.app(scope, body.receive if write.action == FORM else receive, answer.send)
                answered = True
                if answer.status is None or not write.succeeded(answer.status):
                    raise _Undo
                entry = await _entry(write, actor, before, cascaded, answer.body, body.data)
                if entry is not None:
                    await events.record(entry)
        except _Undo:
            pass
        except Exception:
            if not answered:
                await answer.release()  # as without the log: whatever the back office answered, then its error
                raise
            log.exception("back office: the audit entry of %s %s could not be written", scope["method"],
                          scope["path"])
            await JSONResponse({"detail": "The change was not saved: its audit entry could not be written."},
                               status_code=500)(scope, receive, send)
            return
        await answer.release()


class _Undo(Exception):
    """Roll the request's unit of work back: the back office refused the write, so nothing of it stays."""


@dataclass(slots=True)
class _HeldAnswer:
    """The back office's answer, held until the unit of work has committed (or not)."""

    client: Send
    messages: list[Message] = field(default_factory=list)
    status: int | None = None

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        self.messages.append(message)

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.messages if m["type"] == "http.response.body")

    async def release(self) -> None:
        for message in self.messages:
            await self.client(message)
        self.messages.clear()


class _ReadBody:
    """Passes the request body through, keeping a copy (a form's entry names what was submitted)."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._chunks: list[bytes] = []

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self._chunks.append(message.get("body", b""))
        return message

    @property
    def data(self) -> Any:
        try:
            return json.loads(b"".join(self._chunks) or b"null")
        except ValueError:
            return None


def _inner_path(scope: Scope) -> str:
    """The path inside the back office, whether or not the mount left its prefix in `path`."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


async def _operator(scope: Scope) -> int | None:
    """The user signed in to the back office: piccolo-admin reads the same session cookie (and refuses anyone else)."""
    token = HTTPConnection(scope).cookies.get(SESSION_COOKIE)
    return await SessionsBase.get_user_id(token) if token else None


async def _read(table: type[Table] | None, row_id: Any, *, lock: bool = False) -> dict[str, Any] | None:
    if table is None or row_id is None:
        return None
    query = table.select().where(table._meta.primary_key == row_id)
    return await (locked(query) if lock else query).first()


def _secrets(table: type[Table]) -> frozenset[str]:
    return frozenset(column._meta.name for column in table._meta.columns if column._meta.secret)


def _shown(table: type[Table], row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A row as the log keeps it: without its secret columns (password and token hashes)."""
    if row is None:
        return None
    hidden = _secrets(table)
    return {name: value for name, value in row.items() if name not in hidden}


@dataclass(frozen=True, slots=True)
class _Cascade:
    """Rows of `table` that a delete takes with it: those whose foreign keys `via` lead to the deleted row."""

    table: type[Table]
    via: tuple[str, ...]

    def column(self) -> Column:
        column: Column = getattr(self.table, self.via[0])
        for name in self.via[1:]:
            column = getattr(column._, name)  # type: ignore[attr-defined]
        return column


@cache
def _cascades(table: type[Table], via: tuple[str, ...] = (), seen: frozenset[str] = frozenset()) -> list[_Cascade]:
    """Every ON DELETE CASCADE path into `table`, from the schema (so the reads are bounded by it, not the data)."""
    found: list[_Cascade] = []
    if len(via) >= _CASCADE_DEPTH:
        return found
    seen = seen | {table._meta.tablename}
    for foreign_key in table._meta.foreign_key_references:
        child = foreign_key._meta.table
        if foreign_key._foreign_key_meta.on_delete is OnDelete.cascade and child._meta.tablename not in seen:
            path = (foreign_key._meta.name, *via)
            found.append(_Cascade(child, path))
            found.extend(_cascades(child, path, seen))
    return found


async def _cascaded(table: type[Table] | None, row_id: Any) -> list[dict[str, Any]]:
    if table is None or row_id is None:
        return []
    found = []
    for cascade in _cascades(table):
        column = cascade.column()
        count = await cascade.table.count().where(column == row_id)
        if count:
            rows = await cascade.table.select().where(column == row_id).order_by(
                cascade.table._meta.primary_key).limit(CASCADED_ROWS_KEPT)
            found.append({"table": cascade.table._meta.tablename, "via": list(cascade.via), "count": count,
                          "rows": [_shown(cascade.table, row) for row in rows]})
    return found


def _created_id(table: type[Table], answer: bytes) -> Any:
    """The new row's key from PiccoloCRUD's 201: `[{"id": 7}]` (`{"id": 7}` for a user)."""
    created = json.loads(answer)
    created = created[0] if isinstance(created, list) else created
    return created[table._meta.primary_key._meta.name]


async def _entry(write: _Write, actor: int | None, before: dict[str, Any] | None, cascaded: list[dict[str, Any]],
                 answer: bytes, sent: Any) -> CurationEvent | None:
    """The log entry of a write that succeeded, or None when it changed nothing."""
    if write.action == FORM:
        data = {key: "(hidden)" if _SECRET_FIELD.search(key) else value
                for key, value in sent.items()} if isinstance(sent, dict) else sent
        return events.entry(actor, FORM, {"form": write.form, "data": data})
    table = write.table
    assert table is not None
    row_id = _created_id(table, answer) if write.action == CREATE else write.row_id
    after = await _read(table, row_id) if write.action != DELETE else None
    details: dict[str, Any] = {"table": table._meta.tablename, "row": row_id, "before": _shown(table, before),
                               "after": _shown(table, after)}
    if write.action == UPDATE:
        details["changes"] = rules.changes(details["before"] or {}, details["after"] or {})
        secrets = sorted(name for name in _secrets(table) if (before or {}).get(name) != (after or {}).get(name))
        if secrets:
            details["secrets_changed"] = secrets
        if not details["changes"] and not secrets:
            return None  # saved as it was: nothing to log (as curation logs nothing when nothing changes)
    if cascaded:
        details["cascaded"] = cascaded
    # The log's own link to a listing or product, while the row exists (a deleted row's id stays in `details`).
    linked = row_id if write.action != DELETE else None
    return events.entry(actor, write.action, details, listing_id=linked if table is Listing else None,
                        product_id=linked if table is Product else None)
