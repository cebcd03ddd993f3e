"""Lay out a reports.bulletin_blocks.Document as a DOCX in 公文 form (GB/T 9704-2012 conventions).

A4; margins 37 mm top, 35 mm bottom, 28 mm left (订口), 26 mm right, giving the 156 × 225 mm text area
of 22 lines × 28 characters; title in 2号方正小标宋, body in 3号仿宋_GB2312, 一、 headings in 3号黑体,
（一） headings in 3号楷体; page numbers "— 1 —" in 4号宋体, odd pages right, even pages left.
The DOCX names the standard fonts; machines without them substitute (our PDF conversion maps them to
Noto CJK, see reports/docx_pdf.py).
"""
from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from reports.bulletin_blocks import URL_RE, Annex, Document, Figure, Heading, Para, Table, cn_date

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
SONG_FONT = "宋体"
LATIN_FONT = "Times New Roman"
RED = RGBColor(0xE6, 0x00, 0x12)  # 版头 red
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
LINE_PT = 28.95  # 225 mm / 22 lines
CHARS_PER_LINE = 28
CHAR = Pt(BODY_PT)
TEXT_WIDTH_MM = 156
# 156 mm / 28 characters = 15.79 pt a character: a 3号 (16 pt) character narrowed by 0.21 pt, in twips
BODY_SPACING = round((TEXT_WIDTH_MM / 25.4 * 72 / CHARS_PER_LINE - BODY_PT) * 20)
ALIGN = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT, "left": WD_ALIGN_PARAGRAPH.LEFT}


_UNBREAKABLE = re.compile(r"[!-~]{24,}")  # an address, a hash: one long token with no break opportunity


def justified(text: str) -> bool:
    """A justified line before a long unbreakable token is stretched letter by letter ("产 生 随 机 种 子"):
    such paragraphs are set flush left instead. No invisible break characters are inserted, so an address
    copied out of the document still works."""
    return not (URL_RE.search(text) or _UNBREAKABLE.search(text))


def _off_grid(paragraph) -> None:
    """Table cells, pictures and captions keep their own line height instead of snapping to the 22-line grid
    (which would make every 10.5 pt table line as tall as a body line)."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().append(snap)


def _font(run, east_asia: str, size: float, *, bold: bool = False, color: RGBColor | None = None,
          latin: str = LATIN_FONT) -> None:
    if size == BODY_PT:  # body text: 28 characters a line
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(BODY_SPACING))
        run._element.get_or_add_rPr().append(spacing)
    run.font.name = latin
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


class GongwenDocx:
    """Builds one DOCX; `render(doc)` is the whole job."""

    def __init__(self) -> None:
        self.docx = new_docx()
        section = self.docx.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.header_distance, section.footer_distance = Mm(15), Mm(22)
        normal = self.docx.styles["Normal"]
        normal.font.name, normal.font.size = LATIN_FONT, Pt(BODY_PT)
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
        # python-docx's template declares Japanese as the East Asian language: renderers then pick Japanese glyphs
        for lang in (*self.docx.styles.element.iter(qn("w:lang")), *self.docx.settings.element.iter(qn("w:themeFontLang"))):
            lang.set(qn("w:eastAsia"), "zh-CN")
        self._page_numbers(section)
        self._grid(section)

    @staticmethod
    def _grid(section) -> None:
        """The 22-line document grid (every body line on the same pitch). The 28 characters a line come from
        the body runs' character spacing (BODY_SPACING): LibreOffice reads a character grid differently
        from Word and would space the text out."""
        sect = section._sectPr
        for old in sect.findall(qn("w:docGrid")):
            sect.remove(old)
        grid = OxmlElement("w:docGrid")
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(round(LINE_PT * 20)))  # twentieths of a point
        sect.append(grid)

    # --- page furniture ---------------------------------------------------------------------------
    def _page_numbers(self, section) -> None:
        self.docx.settings.odd_and_even_pages_header_footer = True
        for footer, align, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                    (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            p.alignment = align
            setattr(p.paragraph_format, f"{side}_indent", Pt(14))  # 一字 from the edge of the text area
            _font(p.add_run("— "), SONG_FONT, 14, latin=SONG_FONT)
            self._field(p, "PAGE")
            _font(p.add_run(" —"), SONG_FONT, 14, latin=SONG_FONT)

    @staticmethod
    def _field(paragraph, code: str) -> None:
        for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"), ("end", None)):
            run = paragraph.add_run()
            _font(run, SONG_FONT, 14, latin=SONG_FONT)
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            elif text == code:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = f" {code} "
            else:
                el = OxmlElement("w:t")
                el.text = text
            run._element.append(el)

    # --- paragraphs -------------------------------------------------------------------------------
    def _p(self, *, align: str = "justify", indent_chars: float = 2, line: float = LINE_PT, before: float = 0):
        p = self.docx.add_paragraph()
        fmt = p.paragraph_format
        p.alignment = ALIGN[align]
        fmt.first_line_indent = Pt(BODY_PT * indent_chars) if indent_chars else None
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(line)
        fmt.space_before, fmt.space_after = Pt(before), Pt(0)
        return p

    def blank(self) -> None:
        self._p(indent_chars=0)

    def red_head(self, mark: str, number: str = "") -> None:
        """发文机关标志 at the top of the text area, 发文字号 two lines below it, centred, and 4 mm under the
        发文字号 the red rule; the title then starts two lines below the rule (GB/T 9704-2012 7.2)."""
        p = self._p(align="center", indent_chars=0, line=48)
        _font(p.add_run(mark), TITLE_FONT, 26, color=RED)
        if number:
            self.blank()
            n = self._p(align="center", indent_chars=0)
            _font(n.add_run(number), BODY_FONT, BODY_PT)
        rule = self._p(indent_chars=0, line=12)
        border = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "1"), ("w:color", "E60012")):
            bottom.set(qn(key), value)
        border.append(bottom)
        rule._p.get_or_add_pPr().append(border)
        self.blank()
        self.blank()

    def title(self, text: str) -> None:
        p = self._p(align="center", indent_chars=0, line=35)
        _font(p.add_run(text), TITLE_FONT, TITLE_PT)

    def subtitle(self, text: str) -> None:
        p = self._p(align="center", indent_chars=0)
        _font(p.add_run(text), KAI_FONT, BODY_PT)

    def heading(self, block: Heading) -> None:
        p = self._p()
        _font(p.add_run(block.text), HEI_FONT if block.level == 1 else KAI_FONT, BODY_PT)

    def para(self, block: Para) -> None:
        indent = 2 if block.align == "justify" else 0
        align = "left" if block.align == "justify" and not justified(block.text) else block.align
        p = self._p(align=align, indent_chars=indent)
        if block.lead:
            _font(p.add_run(block.lead), KAI_FONT, BODY_PT)
        _font(p.add_run(block.text), BODY_FONT, BODY_PT)

    def table(self, block: Table) -> None:
        if block.caption:
            p = self._p(align="center", indent_chars=0)
            p.paragraph_format.keep_with_next = True
            _off_grid(p)
            _font(p.add_run(block.caption), HEI_FONT, 12)
        table = self.docx.add_table(rows=1, cols=len(block.header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        weights = block.widths or (1,) * len(block.header)
        widths = [Mm(TEXT_WIDTH_MM * w / sum(weights)) for w in weights]
        for column, width in zip(table.columns, widths):  # LibreOffice reads the grid, Word the cells
            column.width = width
        for i, text in enumerate(block.header):
            self._cell(table.rows[0].cells[i], text, widths[i], header=True)
            # the header row stays with the first row: never a page holding only a table's header
            table.rows[0].cells[i].paragraphs[0].paragraph_format.keep_with_next = True
        self._repeat_header(table.rows[0])
        for row in block.rows:
            added = table.add_row()
            self._no_split(added)
            cells = added.cells
            for i, text in enumerate(row):
                self._cell(cells[i], text, widths[i], small=i in block.url_columns)
        self._p(indent_chars=0, line=12)

    @staticmethod
    def _no_split(row) -> None:
        flag = OxmlElement("w:cantSplit")
        flag.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(flag)

    @staticmethod
    def _repeat_header(row) -> None:
        flag = OxmlElement("w:tblHeader")
        flag.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(flag)

    @staticmethod
    def _cell(cell, text: str, width, *, header: bool = False, small: bool = False) -> None:
        cell.width = width
        p = cell.paragraphs[0]
        _off_grid(p)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER if header else WD_ALIGN_PARAGRAPH.LEFT
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _font(p.add_run(text), HEI_FONT if header else BODY_FONT, 8 if small else 10.5)

    def figure(self, block: Figure) -> None:
        p = self._p(align="center", indent_chars=0, line=LINE_PT)
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact line height would clip it
        p.paragraph_format.keep_with_next = True  # never a caption alone at the top of a page
        _off_grid(p)
        p.add_run().add_picture(BytesIO(block.png), width=Cm(min(block.width_cm, TEXT_WIDTH_MM / 10)))
        caption = self._p(align="center", indent_chars=0, line=20)
        _off_grid(caption)
        _font(caption.add_run(block.caption), BODY_FONT, 12)

    def blocks(self, blocks) -> None:
        for block in blocks:
            {Heading: self.heading, Para: self.para, Table: self.table, Figure: self.figure}[type(block)](block)

    # --- the whole document -------------------------------------------------------------------------
    def render(self, doc: Document) -> GongwenDocx:
        props = self.docx.core_properties
        props.title, props.author, props.comments = doc.title, doc.signature or "zwgk-audit", ""
        if doc.issuer_mark:
            self.red_head(doc.issuer_mark, doc.doc_number)
        self.title(doc.title)
        if doc.subtitle:
            self.subtitle(doc.subtitle)
        self.blank()
        if doc.addressees:
            self.para(Para(doc.addressees, align="left"))
        self.blocks(doc.body)
        if doc.annexes:
            self.blank()
            for i, line in enumerate(doc.annex_list):
                p = self._p(align="left", indent_chars=0)
                p.paragraph_format.left_indent = Pt(BODY_PT * (2 if i == 0 else 5))
                _font(p.add_run(("附件：" if i == 0 else "") + line), BODY_FONT, BODY_PT)
        if doc.signature:
            self._signature(doc)
        for annex in doc.annexes:
            self._annex(annex)
        if doc.copy_to or doc.printer:
            self._colophon(doc)
        return self

    def _signature(self, doc: Document) -> None:
        """落款 (GB/T 9704-2012 7.3.5). Sealed: 成文日期 右空四字, 署名 centred over it. Unsealed: 署名 右空二字,
        成文日期 on the next line starting two characters right of the 署名 (a longer date: 右空二字, 署名 moved)."""
        self.blank()
        self.blank()
        date_text = cn_date(doc.signed_on) if doc.signed_on else ""
        date_w = sum(0.5 if ch.isdigit() else 1 for ch in date_text)
        sig_w = float(len(doc.signature))
        if not date_text:
            sig_indent, date_indent = 2.0, 2.0
        elif doc.sealed:
            date_indent = 4.0
            sig_indent = max(0.0, date_indent + (date_w - sig_w) / 2)
        elif date_w + 2 <= sig_w:
            sig_indent, date_indent = 2.0, 2 + sig_w - 2 - date_w
        else:
            date_indent, sig_indent = 2.0, 2 + date_w + 2 - sig_w
        for text, indent in ((doc.signature, sig_indent), (date_text, date_indent)):
            if text:
                p = self._p(align="right", indent_chars=0)
                p.paragraph_format.right_indent = Pt(BODY_PT * indent)
                _font(p.add_run(text), BODY_FONT, BODY_PT)
        if doc.note:
            p = self._p(align="left", indent_chars=2)
            _font(p.add_run(doc.note), BODY_FONT, BODY_PT)

    def _colophon(self, doc: Document) -> None:
        """版记 at the end of the document: 抄送, then 印发机关 and 印发日期, between black rules (first and last
        0.35 mm, middle 0.25 mm), in 4号仿宋, indented one character (GB/T 9704-2012 7.4)."""
        self.blank()
        lines: list[tuple[str, str]] = []
        if doc.copy_to:
            lines.append(("抄送：" + "，".join(doc.copy_to) + "。", ""))
        printed = f"{cn_date(doc.printed_on)}印发" if doc.printed_on else ""
        lines.append((doc.printer, printed))
        for i, (left, right) in enumerate(lines):
            p = self._p(align="left", indent_chars=0, line=LINE_PT)
            fmt = p.paragraph_format
            fmt.left_indent, fmt.right_indent = Pt(14), Pt(14)
            fmt.keep_with_next = i < len(lines) - 1
            border = OxmlElement("w:pBdr")
            edges = [("w:top", "12" if i == 0 else "8")] + ([("w:bottom", "12")] if i == len(lines) - 1 else [])
            for edge, size in edges:
                el = OxmlElement(edge)
                for key, value in (("w:val", "single"), ("w:sz", size), ("w:space", "1"), ("w:color", "000000")):
                    el.set(qn(key), value)
                border.append(el)
            p._p.get_or_add_pPr().append(border)
            if right:  # 印发日期 flush right on the same line, via a right tab stop
                fmt.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM) - Pt(28), alignment=2)  # WD_TAB_ALIGNMENT.RIGHT
                _font(p.add_run(f"{left}\t{right}"), BODY_FONT, 14)
            else:
                _font(p.add_run(left), BODY_FONT, 14)

    def _annex(self, annex: Annex) -> None:
        p = self._p(align="left", indent_chars=0)
        p.paragraph_format.page_break_before = True
        _font(p.add_run(annex.label), HEI_FONT, BODY_PT)
        self.blank()
        self.title(annex.title)
        self.blank()
        self.blocks(annex.blocks)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.docx.save(str(path))
        return path


def write_docx(doc: Document, path: str | Path) -> Path:
    return GongwenDocx().render(doc).save(path)
