"""Check thresholds a user sets in sites.yaml's `checks:` section, validated against each check's own defaults:
one name, one default (the check's `defaults`), one place. Errors are one line naming the file and the field."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from checks.registry import all_checks
from store.registry import ConfigError


def check_settings(section: dict[str, dict[str, Any]] | None, path: Path | str = "sites.yaml"
                   ) -> dict[str, dict[str, Any]]:
    """The user's thresholds per check id, each of a known check, a known key, and the default's type."""
    checks = all_checks()
    out: dict[str, dict[str, Any]] = {}
    for check_id, values in (section or {}).items():
        where = f"{path}: checks.{check_id}"
        cls = checks.get(check_id)
        if cls is None:
            raise ConfigError(f"{where}: 没有这个检查项（可用：{'、'.join(sorted(checks))}）")
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: 应为“阈值名: 值”的映射")
        known = cls.defaults
        for key, value in values.items():
            if key not in known:
                names = "、".join(sorted(known)) or "（无可设置的阈值）"
                raise ConfigError(f"{where}.{key}: 检查项 {check_id} 没有这个阈值（可设置：{names}）")
            out.setdefault(check_id, {})[key] = _typed(f"{where}.{key}", known[key], value)
    return out


def _typed(where: str, default: Any, value: Any) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: 应为 true 或 false（实际为 {value!r}）")
        return value
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: 应为数值（实际为 {value!r}）")
        if value < 0:
            raise ConfigError(f"{where}: 不能为负数（实际为 {value!r}）")
        return int(value) if isinstance(default, int) and float(value).is_integer() else value
    if isinstance(default, (list, tuple)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: 应为文字列表（实际为 {value!r}）")
        return value
    if isinstance(default, dict):  # e.g. stale_after_days per column class: {动态: 14}
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
                                                  and v > 0 for k, v in value.items()):
            raise ConfigError(f"{where}: 应为“名称: 正整数”的映射（实际为 {value!r}）")
        return value
    if isinstance(default, str) and not isinstance(value, str):
        raise ConfigError(f"{where}: 应为文字（实际为 {value!r}）")
    return value
