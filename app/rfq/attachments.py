"""RFQ attachments: the type and size rules (pure), storing files outside the database, serving them
only to those allowed to see the RFQ."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from app import db
from app.accounts.roles import CompanyKind
from app.auth import Principal
from app.errors import Conflict, InvalidInput, NotFound
from app.files import Download
from app.rfq import access
from app.rfq.access import buyer_actor
from app.rfq.schemas import AttachmentOut
from app.rfq.states import RfqStatus
from app.rfq.tables import RfqAttachment
from app.settings import get_settings

MAX_BYTES = 10 * 1024 * 1024
# The multipart body of one upload: the file and its form's envelope (boundaries, headers, a CSRF token).
MAX_UPLOAD_BODY = MAX_BYTES + 64 * 1024
MAX_PER_RFQ = 20
_ZIP = b"PK\x03\x04"
# Extension → (content type, what the first bytes must be; None for text that must be UTF-8).
ALLOWED: dict[str, tuple[str, bytes | None]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".csv": ("text/csv; charset=utf-8", None),
    ".txt": ("text/plain; charset=utf-8", None),
}


# The media types a download of an attachment may have (the OpenAPI document lists them).
CONTENT_TYPES = tuple(sorted({content_type for content_type, _ in ALLOWED.values()}))


class AttachmentError(ValueError):
    """A file that may not be attached; the message says why."""


@dataclass(frozen=True, slots=True)
class CheckedFile:
    filename: str
    content_type: str


def check_file(filename: str, content: bytes) -> CheckedFile:
    """The file's safe name and content type judged by its extension *and* its first bytes, or why not."""
    name = PurePath((filename or "").replace("\\", "/")).name.strip()
    if not name:
        raise AttachmentError("the file needs a name")
    if len(name) > 255:
        raise AttachmentError("the file name must be at most 255 characters")
    if not content:
        raise AttachmentError("the file is empty")
    if len(content) > MAX_BYTES:
        raise AttachmentError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED:
        raise AttachmentError(f"only {', '.join(sorted(ALLOWED))} files can be attached")
    content_type, magic = ALLOWED[extension]
    if magic is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise AttachmentError(f"a {extension} file must be UTF-8 text") from None
    elif not content.startswith(magic):
        raise AttachmentError(f"the file's content is not a {extension} file")
    return CheckedFile(filename=name, content_type=content_type)


def directory() -> Path:
    return get_settings().var_dir / "attachments"


def checked(filename: str, content: bytes) -> CheckedFile:
    """`check_file`, or a 400 that says why the file may not be attached."""
    try:
        return check_file(filename, content)
    except AttachmentError as exc:
        raise InvalidInput(str(exc)) from None


@asynccontextmanager
async def stored(content: bytes) -> AsyncIterator[str]:
    """The file written under a fresh random name before its row is (a row never points at a missing file), and
    removed again when the caller's block fails (no row points at it then). RFQ and offer attachments use it."""
    stored_name = secrets.token_hex(16)
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / stored_name
    await asyncio.to_thread(path.write_bytes, content)  # up to MAX_BYTES: off the event loop
    try:
        yield stored_name
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def stored_download(row: Mapping[str, Any], missing: str) -> Download:
    """The stored file of an attachment row, or 404 saying `missing` when its file is gone."""
    path = directory() / row["stored_name"]
    if not path.is_file():
        raise NotFound(missing)
    return Download(path=path, filename=row["filename"], content_type=row["content_type"])


def _out(row: dict) -> AttachmentOut:
    return AttachmentOut(id=row["id"], filename=row["filename"], content_type=row["content_type"], size=row["size"],
                         uploaded_at=row["uploaded_at"])


async def attach(principal: Principal, rfq_id: int, filename: str, content: bytes) -> AttachmentOut:
    """Attach a file to a draft or published RFQ of the caller's company."""
    head = await access.rfq_for_buyer(principal, rfq_id)
    buyer_actor(principal, head)
    file = checked(filename, content)
    async with stored(content) as stored_name, db.transaction():
        head = await access.rfq_for_buyer(principal, rfq_id)
        if head.status not in (RfqStatus.DRAFT, RfqStatus.PUBLISHED):
            raise Conflict(f"Files can only be attached to a draft or published RFQ; this one is {head.status}.")
        if await RfqAttachment.count().where(RfqAttachment.rfq == rfq_id) >= MAX_PER_RFQ:
            raise Conflict(f"An RFQ has at most {MAX_PER_RFQ} attachments.")
        row = RfqAttachment(rfq=rfq_id, filename=file.filename, content_type=file.content_type,
                            size=len(content), stored_name=stored_name, uploaded_by=principal.user_id,
                            uploaded_at=await db.db_now())
        await row.save()
    return _out(row.to_dict())


async def _visible_rfq(principal: Principal, rfq_id: int) -> None:
    if principal.company_kind is CompanyKind.VENDOR:
        await access.rfq_for_vendor(principal, rfq_id)
    else:
        await access.rfq_for_buyer(principal, rfq_id)


async def list_attachments(rfq_id: int) -> list[AttachmentOut]:
    """The RFQ's attachments; callers have checked access."""
    rows = await RfqAttachment.select().where(RfqAttachment.rfq == rfq_id).order_by(RfqAttachment.id)
    return [_out(row) for row in rows]


async def download(principal: Principal, rfq_id: int, attachment_id: int) -> Download:
    """The file for someone allowed to see the RFQ (its buyer, a vendor it is meant for, operators); else 404."""
    await _visible_rfq(principal, rfq_id)
    row = await RfqAttachment.select().where(
        (RfqAttachment.id == attachment_id) & (RfqAttachment.rfq == rfq_id)
    ).first()
    if row is None:
        raise NotFound("No such attachment.")
    return stored_download(row, "This attachment's file is missing; ask the buyer to attach it again.")
