"""Read the department lists offices keep in Excel (.xlsx, .xls) or CSV and turn them into a sites.yaml mapping.

Real office sheets have a title and a date above the header, a 序号 column, blank lines, full-width
characters, addresses without http:// and the same department twice under another 简称. The header row is
found wherever it is; the usual header names are understood; text is normalised (NFKC, stray spaces);
every problem names the file, the sheet's real row number and the column; duplicates by name or by
address are refused.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from store.registry import ConfigError, http_url

HEADERS = {
    "name": ("单位名称", "部门名称", "名称", "单位", "单位全称", "name"),
    "id": ("简称", "编号", "代码", "单位简称", "单位编号", "id"),
    "kind": ("类型", "单位类型", "单位类别", "类别", "层级", "kind", "type"),
    "url": ("政务公开专栏地址", "公开专栏地址", "公开专栏网址", "信息公开网址", "政府信息公开专栏地址",
            "政府信息公开网址", "专栏地址", "专栏网址", "url"),
    "home": ("门户网站首页", "网站首页", "首页地址", "首页网址", "门户网站地址", "网站地址", "首页", "home"),
    "catalog": ("目录", "适用目录", "catalog"),
}
IGNORED = ("序号", "编号序号", "备注", "说明")  # columns offices add that the registry does not need
KINDS = {
    "department": "department", "部门": "department", "市直部门": "department", "委办局": "department",
    "市直单位": "department", "单位": "department",
    "county": "county", "县": "county", "县区": "county", "区县": "county", "县(市、区)": "county", "县(区)": "county",
    "县级政府": "county", "区": "county", "县市区": "county", "县(市)": "county",
    "township": "township", "乡镇": "township", "乡": "township", "镇": "township", "街道": "township",
    "乡镇街道": "township", "乡镇(街道)": "township", "街道办事处": "township", "乡镇人民政府": "township",
}
DEFAULT_CATALOG = {"department": "municipal-department", "county": "county-government", "township": "township"}
HEADER_SEARCH_ROWS = 20


def _norm(value: Any) -> str:
    """Cell text as a person means it: full-width letters, digits and punctuation made ASCII (ｇａｊ, ｈｔｔｐ：／／),
    no-break and ideographic spaces and line breaks removed at the ends and collapsed inside."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 序号 1.0 from .xls
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", " ", text).strip()


def _rows(path: Path) -> list[list[Any]]:
    """Every row of the first sheet in sheet order, blank rows included, so list index + 1 is the row number."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise ConfigError(f"{path}: 文件不存在")
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise ConfigError(f"{path}: 无法读取 Excel 文件：{exc}") from None
        return [list(r) for r in wb.active.iter_rows(values_only=True)]
    if suffix == ".xls":
        import xlrd

        try:
            sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
        except Exception as exc:
            raise ConfigError(f"{path}: 无法读取 Excel 97-2003 文件：{exc}") from None
        return [sheet.row_values(i) for i in range(sheet.nrows)]
    if suffix == ".csv":
        raw = path.read_bytes()
        text = None
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise ConfigError(f"{path}: 无法识别文件编码（应为 UTF-8 或 GBK）")
        return [row for row in csv.reader(io.StringIO(text))]
    raise ConfigError(f"{path}: 不支持的文件类型 {suffix or '（无扩展名）'}，应为 .xlsx、.xls 或 .csv")


def _header_key(cell: str) -> str | None:
    text = cell.replace(" ", "")
    for key, names in HEADERS.items():
        if text in names or text.lower() in names:
            return key
    return None


def _find_header(path: Path, rows: list[list[Any]]) -> tuple[int, dict[str, int]]:
    """The first row (within the first 20) naming at least the name and the address columns."""
    best: tuple[int, dict[str, int]] | None = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        index: dict[str, int] = {}
        for col, cell in enumerate(row):
            key = _header_key(_norm(cell))
            if key and key not in index:
                index[key] = col
        if "name" in index and "url" in index:
            return i, index
        if best is None and len(index) >= 2:
            best = (i, index)
    if best is None:
        raise ConfigError(f"{path}: 前 {HEADER_SEARCH_ROWS} 行中找不到表头：应有“单位名称”和“政务公开专栏地址”等列")
    row, index = best
    missing = next(key for key in ("name", "url") if key not in index)
    raise ConfigError(f"{path}: 第 {row + 1} 行（表头）: 缺少“{HEADERS[missing][0]}”列（或英文 {HEADERS[missing][-1]}）")


def _url(value: str, where: str, column: str, notes: list[str]) -> str:
    value = value.replace(" ", "")
    if value and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value):
        fixed = "http://" + value.lstrip("/")
        notes.append(f"{where}“{column}”: 网址缺少 http://，已补为 {fixed}")
        value = fixed
    try:
        return http_url(value)
    except ValueError as exc:
        raise ConfigError(f"{where}“{column}”: {exc}（实际为 {value!r}）") from None


def _slug(url: str, taken: set[str]) -> str:
    parts = [p for p in urlsplit(url).path.split("/") if p and p.lower() not in ("zwgk", "xxgk", "gkml", "index.html")]
    base = re.sub(r"[^A-Za-z0-9_\-]", "", parts[0]) if parts else ""
    base = base or re.sub(r"[^A-Za-z0-9]", "", (urlsplit(url).hostname or "site").split(".")[0]) or "site"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}{n}", n + 1
    return slug


def _same_site(url: str) -> str:
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}{parts.path.rstrip('/').lower() or '/'}"


def import_sites(path: str | Path, *, region: str, notes: list[str] | None = None) -> dict[str, Any]:
    """The registry mapping; what was corrected on the way (addresses given without http://) goes to `notes`."""
    path = Path(path)
    notes = notes if notes is not None else []
    rows = _rows(path)
    if not any(_norm(c) for r in rows for c in r):
        raise ConfigError(f"{path}: 文件为空")
    header_at, index = _find_header(path, rows)
    if "kind" not in index:
        raise ConfigError(f"{path}: 第 {header_at + 1} 行（表头）: 缺少“类型”列（部门、县区或乡镇街道）")
    departments: list[dict[str, Any]] = []
    taken: set[str] = set()
    names: dict[str, int] = {}
    urls: dict[str, int] = {}
    for i in range(header_at + 1, len(rows)):
        row, n = rows[i], i + 1  # the sheet's own row number, blank lines counted

        def cell(key: str) -> str:
            col = index.get(key)
            return _norm(row[col]) if col is not None and col < len(row) else ""

        if not any(cell(k) for k in ("name", "id", "kind", "url", "home")):
            continue  # a blank line, or a line holding only 序号 or 备注
        where = f"{path}: 第 {n} 行"
        name, kind_text = cell("name").replace(" ", ""), cell("kind").replace(" ", "")
        if not name:
            raise ConfigError(f"{where}“{HEADERS['name'][0]}”: 不能为空")
        kind = KINDS.get(kind_text) or KINDS.get(kind_text.lower())
        if kind is None:
            raise ConfigError(f"{where}“{HEADERS['kind'][0]}”: 无法识别的类型 {kind_text!r}，"
                              "应为 部门、县区（区县、县（市、区））或 乡镇、街道")
        if not cell("url"):
            raise ConfigError(f"{where}“{HEADERS['url'][0]}”: 不能为空")
        url = _url(cell("url"), where, HEADERS["url"][0], notes)
        home = _url(cell("home"), where, HEADERS["home"][0], notes) if cell("home") else ""
        if name in names:
            raise ConfigError(f"{where}“{HEADERS['name'][0]}”: {name} 与第 {names[name]} 行重复")
        if _same_site(url) in urls:
            raise ConfigError(f"{where}“{HEADERS['url'][0]}”: {url} 与第 {urls[_same_site(url)]} 行的专栏地址相同"
                              "（同一单位不能以不同简称重复登记）")
        names[name], urls[_same_site(url)] = n, n
        dept_id = cell("id").replace(" ", "")
        if dept_id and not re.fullmatch(r"[A-Za-z0-9_\-\u4e00-\u9fff]+", dept_id):
            raise ConfigError(f"{where}“{HEADERS['id'][0]}”: 只能包含字母、数字、下划线、连字符或汉字（实际为 {dept_id!r}）")
        dept_id = dept_id or _slug(url, taken)
        if dept_id in taken:
            raise ConfigError(f"{where}“{HEADERS['id'][0]}”: 简称 {dept_id!r} 与前面的行重复")
        taken.add(dept_id)
        entry = {"id": dept_id, "name": name, "kind": kind, "catalog": cell("catalog") or DEFAULT_CATALOG[kind],
                 "url": url}
        if home:
            entry["home"] = home
        departments.append(entry)
    if not departments:
        raise ConfigError(f"{path}: 第 {header_at + 1} 行（表头）之后没有单位")
    catalogs = sorted({d["catalog"] for d in departments})
    return {"region": region, "catalogs": catalogs, "upstream": [], "departments": departments}
