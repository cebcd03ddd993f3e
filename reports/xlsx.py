"""XLSX output; every cell that a spreadsheet could take for a formula is neutralised, and every text is
shown through store.safetext (personal numbers masked, control characters that openpyxl refuses removed)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from store.safetext import shown

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text beginning with = + - @ (or a tab/CR) gets a leading apostrophe so it is never evaluated."""
    if isinstance(value, (dict, list)):
        value = json.dumps(shown(value), ensure_ascii=False)
    elif isinstance(value, str):
        value = shown(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_table(path: str | Path, sheet: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
                widths: Sequence[int] | None = None) -> Path:
    """Any exported list: the tracking layout (frozen header, filter, print setup), without links."""
    return write_tracking_table(path, sheet, header, rows, widths or ())


def write_tracking_table(path: str | Path, sheet: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
                         widths: Sequence[int], *, links: dict[int, str] | None = None, title: str = "") -> Path:
    """A list people track work in: frozen header, autofilter, landscape A4 print repeating the header, and
    hyperlinks in the columns `links` names (column index → "url" for web addresses, "file" for local files;
    only http(s) addresses and relative file paths become links)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([safe_cell(h) for h in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    links = links or {}
    for row in rows:
        ws.append([safe_cell(v) for v in row])
        for col, kind in links.items():
            cell = ws.cell(row=ws.max_row, column=col + 1)
            target = row[col]
            if not isinstance(target, str) or not target:
                continue
            if (kind == "url" and target.lower().startswith(("http://", "https://"))) or \
                    (kind == "file" and not target.startswith(("/", "\\")) and ":" not in target):
                cell.hyperlink = target
                cell.font = Font(color="0563C1", underline="single")
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str):
                cell.data_type = "s"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title:
        ws.oddHeader.center.text = title
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
