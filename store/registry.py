"""The registry (sites.yaml) and catalog files: load, validate, explain errors in one Chinese line.

The formats are in the README (sites.yaml, 目录). Unknown keys, missing keys, duplicate ids, malformed URLs and
references to unknown catalogs are rejected with the file, the field path and what was expected.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from store.office import OfficeSettings
from store.schedule_config import ScheduleField
from store.strict import StrictModel, http_url

BUILTIN_CATALOG_DIR = Path(__file__).resolve().parent.parent / "checks" / "catalogs"
DEPARTMENT_KINDS = ("department", "county", "township")


class ConfigError(ValueError):
    """A user's configuration file is wrong; str(exc) is one line naming file, field and expectation."""


class UpstreamFeed(StrictModel):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
    name: str = Field(min_length=1)
    url: str
    repost_within_hours: float = Field(default=24, gt=0)

    _url = field_validator("url")(http_url)


class DepartmentEntry(StrictModel):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-\u4e00-\u9fff]+$")
    name: str = Field(min_length=1)
    kind: Literal["department", "county", "township"]
    catalog: str = Field(min_length=1)
    url: str
    home: str | None = None
    # optional extension: name of a crawler profile (crawler/profiles/<name>.yaml)
    profile: str | None = None

    _url = field_validator("url")(http_url)

    @field_validator("home")
    @classmethod
    def _home(cls, value: str | None) -> str | None:
        return None if value is None else http_url(value)


class SitesFile(StrictModel):
    region: str = Field(min_length=1)
    catalogs: list[str] = Field(default_factory=list)
    upstream: list[UpstreamFeed] = Field(default_factory=list)
    departments: list[DepartmentEntry] = Field(min_length=1)
    # optional: when the scheduler runs each step (store/schedule_config.py); absent = defaults
    schedule: ScheduleField = None
    # optional: who issues the bulletins and how (store/office.py); absent = defaults
    office: OfficeSettings | None = None
    # optional: check thresholds, {check id: {threshold: value}}; the names and types are each check's own
    # defaults, validated when checks run (checks/settings.py: the store knows no check)
    checks: dict[str, dict[str, Any]] = Field(default_factory=dict)


class CatalogItem(StrictModel):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    required: bool = True
    stale_after_days: int | None = Field(default=None, gt=0)
    publish_within_workdays: int | None = Field(default=None, gt=0)
    # optional: documents of this item need a 解读 (policy interpretation) within 3 working days
    requires_interpretation: bool = False
    # optional: this item is the 政府信息公开年报 column (timeliness.annual_report)
    annual_report: bool = False


class Catalog(StrictModel):
    id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1)
    items: list[CatalogItem] = Field(min_length=1)


class Registry(BaseModel):
    """A validated sites.yaml with its catalogs resolved."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: Path
    sha256: str
    sites: SitesFile
    catalogs: dict[str, Catalog]

    @property
    def departments(self) -> list[DepartmentEntry]:
        return list(self.sites.departments)

    def department(self, dept_id: str) -> DepartmentEntry:
        for dept in self.sites.departments:
            if dept.id == dept_id:
                return dept
        raise KeyError(dept_id)


# --- error wording -------------------------------------------------------------------------------

_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的字段（请检查拼写）",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为键值对象",
    "model_type": "应为键值对象",
    "too_short": "不能为空",
    "string_too_short": "不能为空",
    "string_too_long": "过长",
    "string_pattern_mismatch": "只能包含字母、数字、下划线、连字符（或汉字）",
    "greater_than": "应大于 0",
    "literal_error": "取值无效",
}


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "（文件顶层）"


def explain(path: Path, exc: ValidationError) -> ConfigError:
    err = exc.errors()[0]
    what = _MESSAGES.get(err["type"], err["msg"])
    if err["type"] == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        what = f"取值无效，应为 {expected}"
    elif err["type"] == "value_error":
        what = str(err.get("ctx", {}).get("error", err["msg"]))
    got = err.get("input")
    shown = f"（实际为 {got!r}）" if isinstance(got, (str, int, float)) and err["type"] != "missing" else ""
    more = f"；另有 {len(exc.errors()) - 1} 处错误" if len(exc.errors()) > 1 else ""
    return ConfigError(f"{path}: {_field_path(tuple(err['loc']))}: {what}{shown}{more}")


def read_yaml(path: Path) -> tuple[Any, bytes]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: 文件不存在") from None
    except OSError as exc:
        raise ConfigError(f"{path}: 无法读取文件：{exc.strerror}") from None
    try:
        data = yaml.safe_load(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: 文件不是 UTF-8 编码") from None
    except RecursionError:  # PyYAML builds nested collections recursively
        raise ConfigError(f"{path}: YAML 格式错误：嵌套层数过多（列表或键值对象嵌套超过 {MAX_DEPTH} 层）") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: {where}YAML 格式错误：{problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: （文件顶层）: 应为键值对象（YAML 映射）")
    if _depth(data) > MAX_DEPTH:
        raise ConfigError(f"{path}: YAML 格式错误：嵌套层数过多（列表或键值对象嵌套超过 {MAX_DEPTH} 层）")
    return data, raw


# no configuration file nests deeper than a few levels; deeper ones only exhaust the validators' recursion
MAX_DEPTH = 50


def _depth(data: Any) -> int:
    """How deeply lists and mappings nest in `data`, counted without recursion (stops past MAX_DEPTH)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, (dict, list)):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            stack.extend((v, level + 1) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def load_catalog(path: Path) -> Catalog:
    data, _ = read_yaml(path)
    try:
        catalog = Catalog.model_validate(data)
    except ValidationError as exc:
        raise explain(path, exc) from None
    seen: set[str] = set()
    for i, item in enumerate(catalog.items):
        if item.id in seen:
            raise ConfigError(f"{path}: items[{i}].id: 编号重复（{item.id!r}），每个目录事项的编号须唯一")
        seen.add(item.id)
    return catalog


def builtin_catalogs() -> dict[str, Path]:
    return {p.stem: p for p in sorted(BUILTIN_CATALOG_DIR.glob("*.yaml"))}


def resolve_catalog(ref: str, base: Path) -> Path | None:
    """A catalog reference is a file relative to sites.yaml, or the name of a built-in catalog."""
    candidate = base / ref
    if candidate.is_file():
        return candidate
    return builtin_catalogs().get(ref)


def load_registry(path: str | Path) -> Registry:
    path = Path(path)
    data, raw = read_yaml(path)
    try:
        sites = SitesFile.model_validate(data)
    except ValidationError as exc:
        raise explain(path, exc) from None

    for key, entries in (("departments", sites.departments), ("upstream", sites.upstream)):
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            if entry.id in seen:
                raise ConfigError(f"{path}: {key}[{i}].id: 编号重复（{entry.id!r}），每个编号须唯一")
            seen.add(entry.id)

    catalogs: dict[str, Catalog] = {}
    refs = list(sites.catalogs)
    for i, ref in enumerate(refs):
        file = resolve_catalog(ref, path.parent)
        if file is None:
            known = "、".join(builtin_catalogs()) or "无"
            raise ConfigError(f"{path}: catalogs[{i}]: 找不到目录 {ref!r}（不是相对本文件的目录文件，"
                              f"也不是内置目录：{known}）")
        catalog = load_catalog(file)
        catalogs[catalog.id] = catalog
    for i, dept in enumerate(sites.departments):
        if dept.catalog not in catalogs:
            builtin = builtin_catalogs().get(dept.catalog)
            if builtin is None:
                listed = "、".join(catalogs) or "（未列出任何目录）"
                raise ConfigError(
                    f"{path}: departments[{i}].catalog: 目录 {dept.catalog!r} 未定义；已加载的目录：{listed}")
            catalogs[dept.catalog] = load_catalog(builtin)
    return Registry(path=path.resolve(), sha256=hashlib.sha256(raw).hexdigest(), sites=sites, catalogs=catalogs)


def dump_sites(sites: dict[str, Any]) -> str:
    """Serialise a sites mapping as readable YAML (Chinese kept as is, keys in contract order)."""
    return yaml.safe_dump(sites, allow_unicode=True, sort_keys=False, width=200)
