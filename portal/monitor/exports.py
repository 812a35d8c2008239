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


def total_row(headers: Sequence[str], rows: Sequence[Sequence], label: str = "合计",
              skip: Sequence[str] = ()) -> list:
    """A total row: the sum of every numeric column (values, not formulas), '' elsewhere."""
    total = [label]
    for i, header in enumerate(headers[1:], start=1):
        values = [r[i] for r in rows]
        numeric = values and all(isinstance(v, int) and not isinstance(v, bool)
                                 for v in values)
        total.append(sum(values) if numeric and header not in skip else "")
    return total


def xlsx(title: str, headers: Sequence[str], rows: Sequence[Sequence],
         heading: str | None = None, total: Sequence | None = None) -> bytes:
    """A workbook with one sheet: an optional title row (``heading``), a bold frozen header
    row, fitted widths, numbers as numbers, and an optional bold total row."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    headers, rows = _safe([headers])[0], _safe(rows)
    first = 1
    if heading:
        ws.append([cell(heading)])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(headers), 1))
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center")
        first = 2
    ws.append(headers)
    for row in rows:
        ws.append(row)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F0EDE6")
    if total is not None:
        ws.append(_safe([total])[0])
        for c in ws[ws.max_row]:
            c.font = bold
    for c in ws[first]:
        c.font, c.fill = bold, fill
        c.alignment = Alignment(horizontal="center", vertical="center")
    ws.freeze_panes = f"A{first + 1}"
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


def download(fmt: str, filename: str, title: str, headers, rows, heading: str | None = None,
             total: Sequence | None = None) -> Response:
    """An XLSX or CSV attachment with a Chinese file name (RFC 5987). The XLSX carries the
    title row and the total row; the CSV stays a plain table (with the total at the end)."""
    if fmt == "xlsx":
        data, mime, ext = xlsx(title, headers, rows, heading, total), XLSX_MIME, "xlsx"
    else:
        data = csv_bytes(headers, [*rows, total] if total is not None else rows)
        mime, ext = "text/csv; charset=utf-8", "csv"
    name = f"{filename}.{ext}"
    response = Response(data, mimetype=mime)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"report.{ext}\"; filename*=UTF-8''{quote(name)}")
    return response
