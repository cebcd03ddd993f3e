"""What a check is: a small class with a stable id, the rule it enforces, and run(ctx) -> findings.

A check never fetches and never words text for people: it yields structured findings, and
checks.wording turns them into the Chinese message and 整改建议 that reports show.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

if TYPE_CHECKING:
    from checks.context import AuditContext


class Severity(str, enum.Enum):
    HIGH = "high"      # vetoes or failures that make the column unusable
    MEDIUM = "medium"  # a defect a bulletin names
    LOW = "low"        # a blemish worth fixing


class Status(str, enum.Enum):
    PASS = "PASS"        # judged, nothing wrong
    FAIL = "FAIL"        # judged, findings produced
    SKIPPED = "SKIPPED"  # nothing to judge (no data for this check in the run)
    ERROR = "ERROR"      # the check itself failed; its traceback is kept, the others still run


class SkipCheck(Exception):
    """Raised by a check that has nothing to judge; the message says why."""


class CheckConfigError(Exception):
    """A required threshold is missing or invalid; the message names it."""


@dataclass(frozen=True)
class Finding:
    """One problem, as a check sees it. `kind` selects the wording; `evidence` lets a person verify it."""

    check: str
    department: str | None
    url: str | None
    kind: str
    evidence: dict[str, Any] = field(default_factory=dict)
    item: str | None = None
    severity: Severity | None = None  # None: the check's default
    detected_at: datetime | None = None


class Check:
    """Base class. Subclasses set the class attributes and implement run()."""

    id: ClassVar[str]
    severity: ClassVar[Severity] = Severity.MEDIUM
    rule: ClassVar[str] = ""      # the rule enforced, with its source document
    defaults: ClassVar[dict[str, Any]] = {}  # configurable thresholds and their defaults

    @classmethod
    def title(cls) -> str:
        """The first docstring line: the check's name as bulletins show it."""
        return (cls.__doc__ or cls.id).strip().splitlines()[0]

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        merged = dict(self.defaults)
        merged.update(settings or {})
        missing = [k for k, v in merged.items() if v is None]
        if missing:
            raise CheckConfigError(f"检查项 {self.id} 缺少阈值配置：{'、'.join(missing)}")
        self.settings = merged

    def run(self, ctx: AuditContext) -> Iterable[Finding]:  # pragma: no cover - interface
        raise NotImplementedError
