"""Hostile .xlsx files for the upload tests, built with zipfile and streamed: the test never holds
the expanded content in memory (a 300 MB part is written a 100 KB chunk at a time).

`xlsx_with(path, sheets, replace=…)` writes a real workbook (openpyxl) with the given sheets and
header rows, then copies it into a new zip, swapping any part for a generator's output.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook

MB = 1024 * 1024
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'


def _base(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_part(sheets: dict[str, list[list]], name: str) -> str:
    """The zip part of sheet `name` in a workbook built by _base (openpyxl numbers them in order)."""
    return f"xl/worksheets/sheet{list(sheets).index(name) + 1}.xml"


def bloated_sheet(megabytes: int, *, dimension: str | None = "A1:F2") -> Callable[[], Iterator[bytes]]:
    """A sheet of `megabytes` MB of identical rows; it declares a small `dimension` (as a bomb would)."""

    def chunks() -> Iterator[bytes]:
        yield SHEET_HEAD
        if dimension:
            yield f'<dimension ref="{dimension}"/>'.encode()
        yield b"<sheetData>"
        block = ROW * 2000
        for _ in range(megabytes * MB // len(block)):
            yield block
        yield b"</sheetData></worksheet>"

    return chunks


def bloated_shared_strings(megabytes: int) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        yield b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        block = b"<si><t>" + b"A" * 1000 + b"</t></si>"
        block *= 100
        for _ in range(megabytes * MB // len(block)):
            yield block
        yield b"</sst>"

    return chunks


def without_dimension(original: bytes) -> Iterator[bytes]:
    yield re.sub(rb"<dimension [^>]*/>", b"", original)


def _with_shared_strings_type(original: bytes) -> Iterator[bytes]:
    yield original.replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )


def _with_shared_strings_relationship(original: bytes) -> Iterator[bytes]:
    yield original.replace(
        b"</Relationships>",
        b'<Relationship Id="rIdSst" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )


def xlsx_with(
    path: Path,
    sheets: dict[str, list[list]],
    *,
    replace: dict[str, Callable[[], Iterator[bytes]]] | None = None,
    rewrite: dict[str, Callable[[bytes], Iterator[bytes]]] | None = None,
    shared_strings: Callable[[], Iterator[bytes]] | None = None,
) -> Path:
    """Write the workbook to `path`, streaming each part named in `replace` from its generator and
    passing each part named in `rewrite` through its function; `shared_strings` adds a shared-strings
    part (openpyxl writes none for header-only sheets) with its content type and relationship."""
    replace, rewrite = dict(replace or {}), dict(rewrite or {})
    if shared_strings is not None:
        rewrite["[Content_Types].xml"] = _with_shared_strings_type
        rewrite["xl/_rels/workbook.xml.rels"] = _with_shared_strings_relationship
    with zipfile.ZipFile(BytesIO(_base(sheets))) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        if shared_strings is not None:
            with out.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream:
                for chunk in shared_strings():
                    stream.write(chunk)
        for info in source.infolist():
            if info.filename in replace:
                with out.open(info.filename, "w", force_zip64=True) as stream:
                    for chunk in replace[info.filename]():
                        stream.write(chunk)
            elif info.filename in rewrite:
                out.writestr(info.filename, b"".join(rewrite[info.filename](source.read(info.filename))))
            else:
                out.writestr(info.filename, source.read(info.filename))
    return path
