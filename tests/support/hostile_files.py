"""Hostile feed files, made at test time and small on disk: zip bombs, sheets without <dimension>, many parts, …

Each is written streaming (zipfile and generators), so making a file that unpacks to hundreds of MB costs a
second and a few MB of memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook

HEADER = ["sku", "title", "base_price", "currency"]
SHEET = "xl/worksheets/sheet1.xml"
MB = 1024 * 1024


def _tiny_workbook() -> bytes:
    workbook = Workbook()
    workbook.active.append(HEADER)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(*values: object) -> bytes:
    """One <row> without a row number (the reader counts), text as inline strings, numbers as numbers."""
    cells = [
        f"<c><v>{value}</v></c>" if isinstance(value, int | float)
        else f'<c t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'
        for value in values
    ]  # fmt: skip
    return f"<row>{''.join(cells)}</row>".encode()


def sheet_xml(rows: Iterable[bytes], dimension: str | None = None, after: Iterable[bytes] = ()) -> Iterator[bytes]:
    """A worksheet's XML around `rows`, with a <dimension> only when one is given, `after` after the rows."""
    yield b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    yield b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    if dimension:
        yield f'<dimension ref="{dimension}"/>'.encode()
    yield b"<sheetData>"
    yield from rows
    yield b"</sheetData>"
    yield from after
    yield b"</worksheet>"


def repeated(chunk: bytes, total_bytes: int) -> Iterator[bytes]:
    """`chunk` again and again, about `total_bytes` in all, a MB at a time."""
    block = chunk * max(1, MB // len(chunk))
    for _ in range(max(1, total_bytes // len(block))):
        yield block


def workbook_with_sheet(path: Path, sheet: Iterable[bytes], compresslevel: int = 9) -> Path:
    """A workbook as openpyxl saves it, its first sheet's XML replaced by `sheet`, written as it comes."""
    with zipfile.ZipFile(io.BytesIO(_tiny_workbook())) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as target:  # fmt: skip
        for part in source.infolist():
            if part.filename == SHEET:
                with target.open(SHEET, "w") as stream:
                    for chunk in sheet:
                        stream.write(chunk)
            else:
                target.writestr(part, source.read(part))
    return path


def zip_bomb(path: Path, unpacked_mb: int = 300) -> Path:
    """A workbook whose sheet (no <dimension>) unpacks to `unpacked_mb` MB of the same data row."""
    rows = chain([row(*HEADER)], repeated(row("A-1", "Gloves", 1.5, "EUR"), unpacked_mb * MB))
    return workbook_with_sheet(path, sheet_xml(rows), compresslevel=1)


def numbered_rows(count: int) -> Iterator[bytes]:
    """The header, then `count` different data rows (they pack like real ones: about 10 to 1)."""
    yield row(*HEADER)
    for n in range(count):
        yield row(f"N-{n:07d}", f"Article {n * 7919 % 100_003}", n % 997 + 0.25, "EUR")


def many_sheets(path: Path, sheets: int = 1_000) -> Path:
    """A workbook of `sheets` small sheets (the first has the header), made part by part."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    numbers = range(1, sheets + 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{kind}.worksheet+xml"/>'
                      for n in numbers)
            + "</Types>"
        ))  # fmt: skip
        target.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ))  # fmt: skip
        target.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            + "".join(f'<sheet name="S{n}" sheetId="{n}" r:id="rId{n}"/>' for n in numbers)
            + "</sheets></workbook>"
        ))  # fmt: skip
        target.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships">'
            + "".join(f'<Relationship Id="rId{n}" Type="{rel}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                      for n in numbers)
            + "</Relationships>"
        ))  # fmt: skip
        for n in numbers:
            target.writestr(f"xl/worksheets/sheet{n}.xml", b"".join(sheet_xml([row(*HEADER)] if n == 1 else [])))
    return path


def many_parts(path: Path, parts: int = 40_000) -> Path:
    """A real small workbook plus `parts` empty parts: an entry-count bomb of a few MB."""
    with zipfile.ZipFile(io.BytesIO(_tiny_workbook())) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as target:  # fmt: skip
        for part in source.infolist():
            target.writestr(part, source.read(part))
        for n in range(parts):
            target.writestr(f"x/{n}", b"")
    return path


def csv_one_line(path: Path, megabytes: int = 50, header: bool = False) -> Path:
    """A CSV that is one line of `megabytes` MB of commas and letters; after a good header if `header`."""
    with path.open("wb") as stream:
        if header:
            stream.write(b"sku,title,base_price,currency\n")
        block = b"a," * (MB // 2)
        for _ in range(megabytes):
            stream.write(block)
    return path
