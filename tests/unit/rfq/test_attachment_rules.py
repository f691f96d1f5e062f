"""Which files may be attached to an RFQ: judged by extension and first bytes, within the size limit."""

import pytest

from app.rfq.attachments import MAX_BYTES, AttachmentError, check_file


def test_a_pdf_is_accepted_with_a_safe_name():
    checked = check_file("C:\\Users\\ana\\spec sheet.PDF", b"%PDF-1.7 ...")
    assert (checked.filename, checked.content_type) == ("spec sheet.PDF", "application/pdf")


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("virus.exe", b"MZ...", "only .csv, .docx"),
        ("fake.pdf", b"<html>", "not a .pdf file"),
        ("notes.txt", b"\xff\xfe\x00bad", "UTF-8"),
        ("empty.pdf", b"", "empty"),
        ("", b"%PDF-", "needs a name"),
        ("big.txt", b"a" * (MAX_BYTES + 1), "larger than 10 MB"),
    ],
)
def test_other_files_are_refused_with_the_reason(name, content, fragment):
    with pytest.raises(AttachmentError, match=fragment):
        check_file(name, content)
