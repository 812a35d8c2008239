"""The notice as a Word document (.docx) the office can edit: made from the same HTML as
the published notice, in the layout of a government notice (GB/T 9704 in spirit): title in
a large Song typeface, centred; body in 仿宋 三号 with a two-character first-line indent;
the 落款 right-aligned; the annex tables on a new page; A4 with the standard margins."""

from __future__ import annotations

import io
from html.parser import HTMLParser

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY_FONT, TITLE_FONT, HEADING_FONT = "仿宋", "方正小标宋简体", "黑体"


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name, run.font.size, run.font.bold = name, Pt(size), bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


class _Builder(HTMLParser):
    def __init__(self, doc):
        super().__init__(convert_charrefs=True)
        self.doc = doc
        self.block: str | None = None
        self.classes: str = ""
        self.text: list[str] = []
        self.list_kind: list[str] = []
        self.list_number = 0
        self.table_rows: list[list[str]] | None = None
        self.caption = ""
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("p", "h2", "li", "caption"):
            self.block, self.classes, self.text = tag, attrs.get("class") or "", []
        elif tag == "br":
            self.text.append("\n")
        elif tag in ("ul", "ol"):
            self.list_kind.append(tag)
            self.list_number = 0
        elif tag == "table":
            self.table_rows, self.caption = [], ""
        elif tag == "tr" and self.table_rows is not None:
            self.table_rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.table_rows:
            self.table_rows[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "caption":
            self.caption = "".join(self.text).strip()
            self.block = None
        elif tag == "table" and self.table_rows is not None:
            self._table()
            self.table_rows = None
        elif tag in ("ul", "ol") and self.list_kind:
            self.list_kind.pop()
        elif tag == self.block:
            self._paragraph(tag, "".join(self.text).strip())
            self.block = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        elif self.block is not None:
            self.text.append(data if "\n" not in data else data.replace("\n", ""))

    def _paragraph(self, tag: str, text: str) -> None:
        if not text:
            return
        if tag == "li":
            self.list_number += 1
            text = (f"{self.list_number}. " if self.list_kind[-1:] == ["ol"] else "") + text
        if tag == "h2" and "doc-annex" in self.classes:
            self.doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        p = self.doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing, fmt.space_after = Pt(28), Pt(0)
        if "doc-signature" in self.classes:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            fmt.space_before = Pt(28)
        elif "doc-number" in self.classes:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif "doc-recipients" not in self.classes:
            fmt.first_line_indent = Pt(32)
        for i, line in enumerate(text.split("\n")):
            if i:
                p.add_run().add_break()
            _font(p.add_run(line.strip()), HEADING_FONT if tag == "h2" else BODY_FONT, 16)

    def _table(self) -> None:
        rows = [r for r in self.table_rows or [] if r]
        if self.caption:
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(p.add_run(self.caption), HEADING_FONT, 14)
        if not rows:
            return
        table = self.doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        table.style, table.alignment = "Table Grid", WD_TABLE_ALIGNMENT.CENTER
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                cell = table.cell(r, c)
                cell.text = ""
                _font(cell.paragraphs[0].add_run(value), BODY_FONT, 12, bold=r == 0)


def document(title: str, html: str) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.space_after = Pt(16)
    _font(heading.add_run(title), TITLE_FONT, 22)
    builder = _Builder(doc)
    builder.feed(html)
    builder.close()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
