"""The ground truth: ground_truth.yaml (the contract), what data.py implies, and absolute URLs.

Link defects (links.broken, attachments.archive, negatives) name fixed URLs. The audit checks' entries
name symbolic URLs (root, column:<path>, doc:<key>, upstream:<feed>/<n> …, see model.Expect) because
document URLs follow the anchor date; resolve() turns them into a running city's URLs.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from . import data, generate, upstream
from .model import ARCHIVE, BROKEN, NEGATIVE, PLANTED
from .styles import STYLES
from .urls import canon, is_fetchable

PATH = Path(__file__).with_name("ground_truth.yaml")
KEYS = (BROKEN, ARCHIVE, NEGATIVE)
CHECKS = (
    "coverage.missing_column", "coverage.empty_column", "timeliness.stale_column", "timeliness.late_publication",
    "timeliness.annual_report", "timeliness.interpretation", "repost.late", "repost.missing", "privacy.id_number",
    "privacy.mobile_number",
)
CHECK_NEGATIVES = "check_negatives"
ALL_KEYS = (*KEYS, *CHECKS, CHECK_NEGATIVES)


def load(path: Path = PATH) -> dict[str, list[dict[str, Any]]]:
    """ground_truth.yaml as written: URLs relative to the base URL (unencoded) or symbolic."""
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return {key: list(raw.get(key) or []) for key in ALL_KEYS}


def derive() -> dict[str, list[dict[str, Any]]]:
    """What data.py plants: one entry per (verdict, department, url), in data order."""
    endpoints = {e.url: e for e in data.ENDPOINTS}
    out: dict[str, list[dict[str, Any]]] = {key: [] for key in ALL_KEYS}
    seen: set[tuple[str, str, str]] = set()
    for link in data.LINKS:
        endpoint = endpoints[link.url]
        if endpoint.verdict == PLANTED:
            continue  # a valid target: its content is planted for another check (listed below)
        if endpoint.verdict not in KEYS:
            raise ValueError(f"sample city: {link.url} is linked but has no verdict")
        key = (endpoint.verdict, link.dept, link.url)
        if key not in seen:
            seen.add(key)
            out[endpoint.verdict].append({"department": link.dept, "url": link.url, "why": endpoint.why})
    for e in data.EXPECT:
        if e.check not in CHECKS:
            raise ValueError(f"sample city: unknown check {e.check!r} in data.EXPECT")
        entry = {"department": e.dept, "url": e.url, "item": e.item, "why": e.why}
        if e.negative:
            out[CHECK_NEGATIVES].append({"check": e.check, **entry})
        else:
            out[e.check].append(entry)
    return out


def absolute_url(url: str, base_url: str, refused_port: int) -> str:
    """The one spelling of a ground-truth URL on a running instance."""
    url = url.replace("{refused_port}", str(refused_port))
    if not is_fetchable(url):
        return url
    return canon(base_url + url if url.startswith("/") else url)


def absolute(truth: dict[str, list[dict[str, Any]]], base_url: str, refused_port: int) -> dict[str, list[dict]]:
    """Link entries made absolute; symbolic entries (not URLs) pass through unchanged."""
    return {
        key: [{**entry, "url": absolute_url(entry["url"], base_url, refused_port)} for entry in entries]
        for key, entries in truth.items()
    }


def _annual_report(dept, docs: list, path: str, anchor: date) -> str | None:
    """Which report the annual-report check judges as of the anchor: its URL when late, the column when
    missing, None when on time (条例 第49条: departments by 31 January, governments by 31 March)."""
    month = 1 if dept.kind == "department" else 3
    due = date(anchor.year, month, 31)
    if anchor <= due:
        due = date(anchor.year - 1, month, 31)
    report = next((d for d in docs if d.path == path and f"{due.year - 1}年政府信息公开" in d.title), None)
    if report is None:
        return f"column:{path}"
    return f"doc:{report.key}" if report.published.date() > due else None


def resolve_url(url: str, dept_id: str, city: Any) -> str | None:
    """A symbolic ground-truth URL on the running `city` (samplecity.server.SampleCity)."""
    kind, _, rest = url.partition(":")
    dept = next((d for d in data.DEPARTMENTS if d.id == dept_id), None)
    style = STYLES[dept.style](city.base_url) if dept else None
    base = city.base_url
    if url == "*":
        return url
    if kind == "root":
        return canon(base + style.root_url(dept))
    if kind == "column":
        return canon(base + style.column_url(dept, rest, 1))
    if kind == "doc":
        doc = next((d for d in city.site.docs[dept_id] if d.key == rest), None)
        if doc is None:
            raise KeyError(f"sample city: {dept_id} has no document {rest!r}")
        return canon(base + doc.url)
    if kind == "file":
        return absolute_url(rest, base, city.refused_port)
    if kind == "upstream":
        feed_id, _, n = rest.partition("/")
        feed = next(f for f in data.UPSTREAM if f.id == feed_id)
        return canon(base + upstream.doc_url(feed, generate.upstream_documents(feed, city.anchor)[int(n)]))
    if kind == "annual":
        found = _annual_report(dept, city.site.docs[dept_id], rest, city.anchor)
        return resolve_url(found, dept_id, city) if found else None
    raise ValueError(f"sample city: unknown ground-truth URL {url!r}")


def resolve(city: Any, truth: dict[str, list[dict[str, Any]]] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The audit checks' entries (and their negatives) with URLs and upstream items of the running city;
    an entry that does not apply as of the city's anchor (an annual report on time) is left out."""
    truth = truth or load()
    out: dict[str, list[dict[str, Any]]] = {}
    for key in (*CHECKS, CHECK_NEGATIVES):
        entries = []
        for entry in truth[key]:
            url = resolve_url(entry["url"], entry["department"], city)
            if url is None:
                continue
            item = entry.get("item")
            if item and item.startswith("upstream:"):
                item = resolve_url(item, entry["department"], city)
            entries.append({**entry, "url": url, "item": item})
        out[key] = entries
    return out


def dump(truth: dict[str, list[dict[str, Any]]]) -> str:
    """YAML with one flow mapping per line, the layout of ground_truth.yaml.

    Regenerate the file after changing data.py:
    python -c "from samplecity import truth; print(truth.dump(truth.derive()), end='')" > samplecity/ground_truth.yaml
    """
    lines = [
        "# Planted defects of the sample city; see samplecity/data.py. URLs are relative to the base URL,",
        "# unencoded; {refused_port} is a port where nothing listens (SampleCity.refused_port).",
        "# negatives: look suspicious but must NOT be reported.",
        "# The audit checks' entries use symbolic URLs (root, column:<path>, doc:<key>, file:<path>,",
        "# annual:<path>, upstream:<feed>/<n>; * = any) resolved by truth.resolve() on a running city;",
        "# check_negatives: near misses those checks must NOT report.",
    ]
    for key in ALL_KEYS:
        lines.append(f"{key}:")
        for entry in truth[key]:
            flow = yaml.safe_dump(entry, allow_unicode=True, default_flow_style=True, sort_keys=False, width=1000)
            lines.append(f"  - {flow.strip()}")
    return "\n".join(lines) + "\n"
