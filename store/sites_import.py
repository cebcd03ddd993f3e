"""Read the department lists offices keep in Excel or CSV and turn them into a sites.yaml mapping.

Columns (Chinese or English header): 单位名称/name, 简称/id, 类型/kind, 公开专栏地址/url, 首页地址/home,
and optionally 目录/catalog. Every problem names the file, the row and the column.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from store.registry import ConfigError, http_url

HEADERS = {
    "name": ("单位名称", "名称", "部门名称", "name"),
    "id": ("简称", "编号", "代码", "id"),
    "kind": ("类型", "单位类型", "kind", "type"),
    "url": ("公开专栏地址", "政府信息公开专栏地址", "专栏地址", "url"),
    "home": ("首页地址", "网站首页", "home"),
    "catalog": ("目录", "适用目录", "catalog"),
}
KINDS = {
    "department": "department", "部门": "department", "市直部门": "department", "委办局": "department",
    "county": "county", "县": "county", "县区": "county", "县（市、区）": "county", "县级政府": "county", "区": "county",
    "township": "township", "乡镇": "township", "街道": "township", "乡镇街道": "township", "乡镇（街道）": "township",
}
DEFAULT_CATALOG = {"department": "municipal-department", "county": "county-government", "township": "township"}


def _rows(path: Path) -> list[list[Any]]:
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
    if suffix == ".csv":
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        return [row for row in csv.reader(io.StringIO(text))]
    raise ConfigError(f"{path}: 不支持的文件类型 {suffix or '（无扩展名）'}，应为 .xlsx 或 .csv")


def _slug(url: str, taken: set[str]) -> str:
    parts = [p for p in urlsplit(url).path.split("/") if p and p.lower() not in ("zwgk", "xxgk", "gkml", "index.html")]
    base = re.sub(r"[^A-Za-z0-9_\-]", "", parts[0]) if parts else ""
    base = base or re.sub(r"[^A-Za-z0-9]", "", (urlsplit(url).hostname or "site").split(".")[0]) or "site"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}{n}", n + 1
    return slug


def import_sites(path: str | Path, *, region: str) -> dict[str, Any]:
    path = Path(path)
    rows = [r for r in _rows(path) if any(c not in (None, "") for c in r)]
    if not rows:
        raise ConfigError(f"{path}: 文件为空")
    header = [str(c or "").strip() for c in rows[0]]
    index: dict[str, int] = {}
    for key, names in HEADERS.items():
        for i, h in enumerate(header):
            if h in names or h.lower() in names:
                index[key] = i
                break
    for key in ("name", "kind", "url"):
        if key not in index:
            raise ConfigError(f"{path}: 第 1 行（表头）: 缺少“{HEADERS[key][0]}”列（或英文 {HEADERS[key][-1]}）")
    departments, taken = [], set()
    for n, row in enumerate(rows[1:], start=2):
        cell = lambda key: (str(row[index[key]]).strip() if key in index and index[key] < len(row)
                            and row[index[key]] is not None else "")
        name, kind_text, url = cell("name"), cell("kind"), cell("url")
        where = f"{path}: 第 {n} 行"
        if not name:
            raise ConfigError(f"{where}“{HEADERS['name'][0]}”: 不能为空")
        kind = KINDS.get(kind_text) or KINDS.get(kind_text.lower())
        if kind is None:
            raise ConfigError(f"{where}“{HEADERS['kind'][0]}”: 无法识别的类型 {kind_text!r}，应为 部门、县区 或 乡镇街道")
        for key, value in (("url", url), ("home", cell("home"))):
            if value:
                try:
                    http_url(value)
                except ValueError as exc:
                    raise ConfigError(f"{where}“{HEADERS[key][0]}”: {exc}（实际为 {value!r}）") from None
        if not url:
            raise ConfigError(f"{where}“{HEADERS['url'][0]}”: 不能为空")
        dept_id = cell("id")
        if dept_id and not re.fullmatch(r"[A-Za-z0-9_\-\u4e00-\u9fff]+", dept_id):
            raise ConfigError(f"{where}“{HEADERS['id'][0]}”: 只能包含字母、数字、下划线、连字符或汉字（实际为 {dept_id!r}）")
        dept_id = dept_id or _slug(url, taken)
        if dept_id in taken:
            raise ConfigError(f"{where}“{HEADERS['id'][0]}”: 简称 {dept_id!r} 与前面的行重复")
        taken.add(dept_id)
        entry = {"id": dept_id, "name": name, "kind": kind, "catalog": cell("catalog") or DEFAULT_CATALOG[kind],
                 "url": url}
        if cell("home"):
            entry["home"] = cell("home")
        departments.append(entry)
    catalogs = sorted({d["catalog"] for d in departments})
    return {"region": region, "catalogs": catalogs, "upstream": [], "departments": departments}
