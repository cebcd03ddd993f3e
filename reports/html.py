"""HTML rendering with Jinja2, autoescape on: every title and URL shown came from the web."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

STATUS_LABELS = {"PASS": "通过", "FAIL": "发现问题", "SKIPPED": "未检查（无数据）", "ERROR": "检查出错"}
SEVERITY_LABELS = {"high": "严重", "medium": "一般", "low": "轻微"}


def safe_href(url: str | None) -> str | None:
    """Only http(s) URLs become links; anything else (javascript:, data:) is shown as text only."""
    if not url:
        return None
    return url if urlsplit(url).scheme in ("http", "https") else None


def environment() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"),
                      autoescape=select_autoescape(enabled_extensions=("html", "j2", "xml"), default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["href"] = safe_href
    env.globals.update(STATUS_LABELS=STATUS_LABELS, SEVERITY_LABELS=SEVERITY_LABELS)
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


def write_run_report(report, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render("run_report.html.j2", r=report), encoding="utf-8")
    return path
