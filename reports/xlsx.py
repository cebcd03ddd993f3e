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
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([safe_cell(h) for h in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    for i, width in enumerate(widths or [], start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str):
                cell.data_type = "s"
    ws.freeze_panes = "A2"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
