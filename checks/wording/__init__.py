"""The Chinese wording of findings: message (what is wrong) and fix (整改建议), kept apart from the logic.

One module per topic (checks/wording/<topic>.py) registers a renderer per check id with @wording;
checks themselves only yield structured Findings.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable

from checks.base import Finding


@dataclass(frozen=True)
class Text:
    message: str
    fix: str


_RENDERERS: dict[str, Callable[[Finding], Text]] = {}
_loaded = False


def wording(check_id: str) -> Callable[[Callable[[Finding], Text]], Callable[[Finding], Text]]:
    def add(fn: Callable[[Finding], Text]) -> Callable[[Finding], Text]:
        if check_id in _RENDERERS and _RENDERERS[check_id] is not fn:
            raise RuntimeError(f"duplicate wording for {check_id!r}")
        _RENDERERS[check_id] = fn
        return fn
    return add


def _load() -> None:
    global _loaded
    if not _loaded:
        for mod in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{mod.name}")
        _loaded = True


def render(finding: Finding) -> Text:
    _load()
    renderer = _RENDERERS.get(finding.check)
    if renderer is None:
        raise KeyError(f"no wording for check {finding.check!r}: add one in checks/wording/")
    return renderer(finding)
