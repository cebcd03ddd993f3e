"""What a check sees: one crawl run, read-only, as of an audit date."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from store import models as m
from store.registry import Registry


@dataclass(frozen=True)
class AuditContext:
    session: Session
    run: m.CrawlRun
    as_of: date
    registry: Registry | None = None
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def run_id(self) -> int:
        return self.run.id

    @property
    def department_ids(self) -> list[str]:
        return list(self.run.departments or [])
