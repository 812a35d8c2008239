"""Exports the center opens in Excel or WPS: XLSX (openpyxl) and CSV (UTF-8 with BOM)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _width(value) -> int:
    # CJK characters take two columns in Excel.
    text = "" if value is None else str(value)
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


# A cell starting with one of these is a formula to Excel, WPS or LibreOffice (OWASP CSV
# injection); a leading apostrophe makes it plain text in all of them.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def cell(value):
    """A value safe to put in a spreadsheet cell: text that would start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _safe(rows: Sequence[Sequence]) -> list[list]:
    return [[cell(v) for v in row] for row in rows]


def xlsx(title: str, headers: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """A workbook with one sheet: bold frozen header row, fitted widths, numbers as numbers."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    headers, rows = _safe([headers])[0], _safe(rows)
    ws.append(headers)
    for row in rows:
        ws.append(row)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F0EDE6")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        longest = max([_width(header)] + [_width(r[i - 1]) for r in rows])
        ws.column_dimensions[get_column_letter(i)].width = min(max(longest + 2, 8), 60)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """CSV in UTF-8 with a BOM, so Excel and WPS detect the encoding."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_safe([headers])[0])
    writer.writerows(_safe(rows))
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def download(fmt: str, filename: str, title: str, headers, rows) -> Response:
    """An XLSX or CSV attachment with a Chinese file name (RFC 5987)."""
    if fmt == "xlsx":
        data, mime, ext = xlsx(title, headers, rows), XLSX_MIME, "xlsx"
    else:
        data, mime, ext = csv_bytes(headers, rows), "text/csv; charset=utf-8", "csv"
    name = f"{filename}.{ext}"
    response = Response(data, mimetype=mime)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"report.{ext}\"; filename*=UTF-8''{quote(name)}")
    return response
