"""Registry of checks keyed by their stable ids (the README's 检查项 table); a duplicate id is refused at import."""
from __future__ import annotations

import importlib
import pkgutil

from checks.base import Check

_CHECKS: dict[str, type[Check]] = {}


def register(cls: type[Check]) -> type[Check]:
    if cls.id in _CHECKS and _CHECKS[cls.id] is not cls:
        raise RuntimeError(f"duplicate check id {cls.id!r}: {_CHECKS[cls.id].__qualname__} and {cls.__qualname__}")
    _CHECKS[cls.id] = cls
    return cls


def all_checks() -> dict[str, type[Check]]:
    """Every registered check, importing checks.rules.* on first use."""
    import checks.rules as rules

    for mod in pkgutil.iter_modules(rules.__path__):
        importlib.import_module(f"checks.rules.{mod.name}")
    return dict(sorted(_CHECKS.items()))


def get(check_id: str) -> type[Check]:
    checks = all_checks()
    if check_id not in checks:
        raise KeyError(check_id)
    return checks[check_id]
