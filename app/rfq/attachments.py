"""RFQ attachments: the type and size rules (pure), storing files outside the database, serving them
only to those allowed to see the RFQ."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path, PurePath

from app import db
from app.accounts.roles import CompanyKind
from app.auth import Principal
from app.errors import Conflict, InvalidInput, NotFound
from app.rfq import access
from app.rfq.schemas import AttachmentOut
from app.rfq.states import RfqStatus
from app.rfq.tables import RfqAttachment
from app.settings import get_settings

MAX_BYTES = 10 * 1024 * 1024
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


def _out(row: dict) -> AttachmentOut:
    return AttachmentOut(id=row["id"], filename=row["filename"], content_type=row["content_type"], size=row["size"],
                         uploaded_at=row["uploaded_at"])


async def attach(principal: Principal, rfq_id: int, filename: str, content: bytes) -> AttachmentOut:
    """Attach a file to a draft or published RFQ of the caller's company."""
    from app.rfq.services import buyer_actor

    head = await access.rfq_for_buyer(principal, rfq_id)
    buyer_actor(principal, head)
    try:
        checked = check_file(filename, content)
    except AttachmentError as exc:
        raise InvalidInput(str(exc)) from None
    stored_name = secrets.token_hex(16)
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / stored_name
    path.write_bytes(content)  # before the row: a row never points at a missing file
    try:
        async with db.transaction():
            head = await access.rfq_for_buyer(principal, rfq_id)
            if head.status not in (RfqStatus.DRAFT, RfqStatus.PUBLISHED):
                raise Conflict(f"Files can only be attached to a draft or published RFQ; this one is {head.status}.")
            if await RfqAttachment.count().where(RfqAttachment.rfq == rfq_id) >= MAX_PER_RFQ:
                raise Conflict(f"An RFQ has at most {MAX_PER_RFQ} attachments.")
            row = RfqAttachment(rfq=rfq_id, filename=checked.filename, content_type=checked.content_type,
                                size=len(content), stored_name=stored_name, uploaded_by=principal.user_id,
                                uploaded_at=await db.db_now())
            await row.save()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
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


@dataclass(frozen=True, slots=True)
class Download:
    path: Path
    filename: str
    content_type: str


async def download(principal: Principal, rfq_id: int, attachment_id: int) -> Download:
    """The file for someone allowed to see the RFQ (its buyer, a vendor it is meant for, operators); else 404."""
    await _visible_rfq(principal, rfq_id)
    row = await RfqAttachment.select().where(
        (RfqAttachment.id == attachment_id) & (RfqAttachment.rfq == rfq_id)
    ).first()
    if row is None:
        raise NotFound("No such attachment.")
    path = directory() / row["stored_name"]
    if not path.is_file():
        raise NotFound("This attachment's file is missing; ask the buyer to attach it again.")
    return Download(path=path, filename=row["filename"], content_type=row["content_type"])
