"""Bounded uploads: every file a user or an operator hands the app is checked before it is read.

An .xlsx is a zip of XML parts, and a small upload can expand enormously: a 2.5 MB file whose
sheet is 600 MB of repeated rows, or a 600 MB shared-strings part (openpyxl keeps every shared
string in memory, even in read-only mode). `open_workbook` therefore looks at the zip's directory
first — the whole upload's size, each part's uncompressed size and compression ratio, the shared
strings' size, every sheet's declared dimension — and refuses in a fraction of a second with a
Chinese message saying which limit and what was found. Only then does it load the workbook in
openpyxl's read-only (streaming) mode. `bounded_rows` enforces the row limit again while a sheet is
read, because a sheet's declared dimension may be missing or wrong.

The uncompressed sizes come from the zip's central directory. Python's zipfile never returns more
than a part's declared size, so a part that lies about its size is cut short (and fails to parse
or fails its CRC), never expanded beyond what was checked here.

The limits are settings (IMPORT_MAX_*), configurable through the environment; see
docs/configuration.md.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SHARED_STRINGS = "xl/sharedStrings.xml"
# A part this small is never worth refusing for its ratio (an empty sheet compresses 50:1).
RATIO_CHECKED_FROM = 1024 * 1024
# How far into a sheet's XML its <dimension> may be: it follows <sheetPr>, within the first bytes.
DIMENSION_WINDOW = 64 * 1024
PROGRESS_EVERY = 500
# The zip's end record (22 bytes and a comment of at most 64 KB) is within the file's last bytes.
END_WINDOW = 22 + 65535

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]*)(\d*)(?::([A-Z]*)(\d*))?\"")
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"[^>]*?\br:id=\"([^\"]*)\"|"
                    rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]*)\"[^>]*?\bname=\"([^\"]*)\"")  # fmt: skip
_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*?\bId=\"([^\"]*)\"[^>]*?\bTarget=\"([^\"]*)\"|"
                           rb"<Relationship\b[^>]*?\bTarget=\"([^\"]*)\"[^>]*?\bId=\"([^\"]*)\"")  # fmt: skip


class UploadRefused(ValueError):
    """A file refused before it is read; the message says which limit and what was found, in Chinese."""


def _mb(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.1f} MB" if megabytes < 10 else f"{megabytes:,.0f} MB"


def file_size(file) -> int:
    """The size in bytes of an uploaded file, a path or a seekable binary file object."""
    if isinstance(file, str | os.PathLike):
        return os.path.getsize(file)
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    position = file.tell()
    file.seek(0, os.SEEK_END)
    end = file.tell()
    file.seek(position)
    return end


def check_size(file, limit: int, *, what: str | None = None) -> None:
    """Refuse a file larger than `limit` bytes."""
    size = file_size(file)
    if size > limit:
        raise UploadRefused(
            _("%(what)s大小为 %(size)s，超过了 %(limit)s 的上限")
            % {"what": what or _("文件"), "size": _mb(size), "limit": _mb(limit)}
        )


def upload_size_validator(limit: int):
    """A form-field validator that refuses an upload over `limit` bytes (a Chinese message with both sizes)."""

    def validate(upload) -> None:
        try:
            check_size(upload, limit)
        except UploadRefused as exc:
            raise ValidationError(str(exc), code="file_too_large") from None

    return validate


def import_upload_validator(upload) -> None:
    """The cap of every spreadsheet import (settings.IMPORT_MAX_UPLOAD_BYTES)."""
    upload_size_validator(settings.IMPORT_MAX_UPLOAD_BYTES)(upload)


def import_file_field(*, label, **kwargs) -> forms.FileField:
    """The file field of every spreadsheet import: .xlsx offered first, the size capped."""
    kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    return forms.FileField(label=label, validators=[import_upload_validator], **kwargs)


@dataclass(frozen=True)
class SheetShape:
    name: str
    part: str
    size: int  # uncompressed bytes of the sheet's XML
    rows: int | None  # the declared last row, when the sheet declares its dimension


@dataclass(frozen=True)
class WorkbookShape:
    """What the zip's directory says about a workbook, read without decompressing any sheet."""

    size: int
    uncompressed: int
    sheets: list[SheetShape] = field(default_factory=list)

    @property
    def declared_rows(self) -> int:
        """Rows the workbook declares, all sheets together (0 when no sheet says)."""
        return sum(sheet.rows or 0 for sheet in self.sheets)


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet part → the sheet's name as the user sees it, from workbook.xml and its relationships."""
    try:
        book = archive.read("xl/workbook.xml") if _small(archive, "xl/workbook.xml") else b""
        rels = archive.read("xl/_rels/workbook.xml.rels") if _small(archive, "xl/_rels/workbook.xml.rels") else b""
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, EOFError):
        return {}
    targets = {}
    for match in _RELATIONSHIP.finditer(rels):
        rel_id, target = (match[1], match[2]) if match[1] is not None else (match[4], match[3])
        target_text = target.decode("utf-8", "replace").lstrip("/")
        targets[rel_id] = target_text if target_text.startswith("xl/") else f"xl/{target_text}"
    names = {}
    for match in _SHEET.finditer(book):
        name, rel_id = (match[1], match[2]) if match[1] is not None else (match[4], match[3])
        if rel_id in targets:
            names[targets[rel_id]] = _unescape(name.decode("utf-8", "replace"))
    return names


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _small(archive: zipfile.ZipFile, name: str) -> bool:
    try:
        return archive.getinfo(name).file_size <= 10 * 1024 * 1024
    except KeyError:
        return False


def _declared_rows(archive: zipfile.ZipFile, part: str) -> int | None:
    try:
        with archive.open(part) as stream:
            head = stream.read(DIMENSION_WINDOW)
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, EOFError, NotImplementedError):
        return None
    match = _DIMENSION.search(head)
    if match is None:
        return None
    last = match[4] or match[2]
    return int(last) if last else None


def _declared_parts(file) -> int | None:
    """The number of parts the zip's end record declares (65,535 or more for a zip64 one), read
    from the file's last bytes: zipfile builds an object per part, so a zip of a million tiny parts
    is refused before it does. None when there is no end record (not a zip)."""
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as handle:
            return _declared_parts(handle)
    position = file.tell()
    try:
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(max(0, size - END_WINDOW))
        tail = file.read(END_WINDOW)
    finally:
        file.seek(position)
    found = tail.rfind(b"PK\x05\x06")
    if found < 0 or len(tail) < found + 22:
        return None
    return struct.unpack("<H", tail[found + 10 : found + 12])[0]


def inspect_xlsx(file, *, max_bytes: int | None = None) -> WorkbookShape | None:
    """Check an .xlsx against the limits without parsing it. Raises UploadRefused; returns None
    for a file that is not a zip at all (the reader then says it is not a workbook, as before)."""
    limits = settings
    check_size(file, max_bytes or limits.IMPORT_MAX_UPLOAD_BYTES)
    size = file_size(file)
    position = None if isinstance(file, str | os.PathLike) else file.tell()
    parts = _declared_parts(file)
    if parts is not None and parts > limits.IMPORT_MAX_PARTS:
        raise UploadRefused(
            _("文件包含 %(found)s 个部件，超过了 %(limit)s 个的上限，不像是正常的Excel工作簿")
            % {"found": f"{parts:,}" if parts < 0xFFFF else "65,535+", "limit": f"{limits.IMPORT_MAX_PARTS:,}"}
        )
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    try:
        infos = archive.infolist()
        if len(infos) > limits.IMPORT_MAX_PARTS:
            raise UploadRefused(
                _("文件包含 %(found)s 个部件，超过了 %(limit)s 个的上限，不像是正常的Excel工作簿")
                % {"found": f"{len(infos):,}", "limit": f"{limits.IMPORT_MAX_PARTS:,}"}
            )
        names = _sheet_names(archive)
        total = 0
        sheets = []
        for info in infos:
            total += info.file_size
            label = names.get(info.filename, info.filename)
            if info.file_size >= RATIO_CHECKED_FROM:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.IMPORT_MAX_COMPRESSION_RATIO:
                    raise UploadRefused(
                        _("“%(part)s”压缩了 %(ratio)s 倍（%(compressed)s 解压后为 %(size)s），"
                          "超过了 %(limit)s 倍的上限，疑似压缩炸弹，已拒绝")
                        % {"part": label, "ratio": f"{ratio:,.0f}", "compressed": _mb(info.compress_size),
                           "size": _mb(info.file_size), "limit": limits.IMPORT_MAX_COMPRESSION_RATIO}
                    )  # fmt: skip
            if info.filename == SHARED_STRINGS and info.file_size > limits.IMPORT_MAX_SHARED_STRINGS_BYTES:
                raise UploadRefused(
                    _("文件中的共享文本（sharedStrings）解压后为 %(size)s，超过了 %(limit)s 的上限")
                    % {"size": _mb(info.file_size), "limit": _mb(limits.IMPORT_MAX_SHARED_STRINGS_BYTES)}
                )
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                sheets.append(SheetShape(label, info.filename, info.file_size, None))
        if total > limits.IMPORT_MAX_UNCOMPRESSED_BYTES:
            raise UploadRefused(
                _("文件解压后共 %(size)s，超过了 %(limit)s 的上限；请删除不需要的工作表或拆分后分批导入")
                % {"size": _mb(total), "limit": _mb(limits.IMPORT_MAX_UNCOMPRESSED_BYTES)}
            )
        declared = []
        for sheet in sheets:
            rows = _declared_rows(archive, sheet.part)
            if rows is not None and rows > limits.IMPORT_MAX_ROWS + 1:
                raise UploadRefused(
                    _("工作表“%(sheet)s”有 %(rows)s 行，超过了每张工作表 %(limit)s 行的上限；请拆分后分批导入")
                    % {"sheet": sheet.name, "rows": f"{rows:,}", "limit": f"{limits.IMPORT_MAX_ROWS:,}"}
                )
            declared.append(SheetShape(sheet.name, sheet.part, sheet.size, rows))
    finally:
        archive.close()
        if position is not None:
            file.seek(position)
    return WorkbookShape(size, total, declared)


def open_workbook(file):
    """Check `file` (a path or a binary file object) with inspect_xlsx, then load it in openpyxl's
    read-only mode. Raises UploadRefused for a file over a limit; anything openpyxl raises for a
    file that is not a workbook passes through, for the reader to word as it does."""
    from openpyxl import load_workbook

    inspect_xlsx(file)
    return load_workbook(file, read_only=True, data_only=True)


def bounded_rows(
    rows: Iterable[tuple[Any, ...]],
    *,
    sheet: str,
    on_row: Callable[[int], None] | None = None,
    limit: int | None = None,
) -> Iterator[tuple[Any, ...]]:
    """The rows of a sheet, refused (UploadRefused) once past IMPORT_MAX_ROWS data rows plus the
    header, whatever the sheet declared. `on_row(n)` is called every PROGRESS_EVERY rows."""
    limit = (limit or settings.IMPORT_MAX_ROWS) + 1
    for count, row in enumerate(rows, start=1):
        if count > limit:
            raise UploadRefused(
                _("工作表“%(sheet)s”超过了每张工作表 %(limit)s 行的上限；请拆分后分批导入")
                % {"sheet": sheet, "limit": f"{limit - 1:,}"}
            )
        if on_row is not None and count % PROGRESS_EVERY == 0:
            on_row(count)
        yield row


def is_large(shape: WorkbookShape | None) -> bool:
    """Whether an import of this workbook should run as a background job rather than in the request."""
    if shape is None:
        return False
    return shape.declared_rows > settings.IMPORT_JOB_ROWS or shape.uncompressed > settings.IMPORT_JOB_BYTES
