"""The ground truth: ground_truth.yaml (the contract), what data.py implies, and absolute URLs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from . import data
from .model import ARCHIVE, BROKEN, NEGATIVE
from .urls import canon, is_fetchable

PATH = Path(__file__).with_name("ground_truth.yaml")
KEYS = (BROKEN, ARCHIVE, NEGATIVE)


def load(path: Path = PATH) -> dict[str, list[dict[str, str]]]:
    """ground_truth.yaml as written: URLs relative to the base URL, unencoded."""
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return {key: list(raw.get(key) or []) for key in KEYS}


def derive() -> dict[str, list[dict[str, str]]]:
    """What data.py plants: one entry per (verdict, department, url), in data order."""
    endpoints = {e.url: e for e in data.ENDPOINTS}
    out: dict[str, list[dict[str, str]]] = {key: [] for key in KEYS}
    seen: set[tuple[str, str, str]] = set()
    for link in data.LINKS:
        endpoint = endpoints[link.url]
        if endpoint.verdict not in KEYS:
            raise ValueError(f"sample city: {link.url} is linked but has no verdict")
        key = (endpoint.verdict, link.dept, link.url)
        if key not in seen:
            seen.add(key)
            out[endpoint.verdict].append({"department": link.dept, "url": link.url, "why": endpoint.why})
    return out


def absolute_url(url: str, base_url: str, refused_port: int) -> str:
    """The one spelling of a ground-truth URL on a running instance."""
    url = url.replace("{refused_port}", str(refused_port))
    if not is_fetchable(url):
        return url
    return canon(base_url + url if url.startswith("/") else url)


def absolute(truth: dict[str, list[dict[str, Any]]], base_url: str, refused_port: int) -> dict[str, list[dict]]:
    return {
        key: [{**entry, "url": absolute_url(entry["url"], base_url, refused_port)} for entry in entries]
        for key, entries in truth.items()
    }


def dump(truth: dict[str, list[dict[str, str]]]) -> str:
    """YAML with one flow mapping per line, the layout of ground_truth.yaml.

    Regenerate the file after changing data.py:
    python -c "from samplecity import truth; print(truth.dump(truth.derive()), end='')" > samplecity/ground_truth.yaml
    """
    lines = [
        "# Planted defects of the sample city; see samplecity/data.py. URLs are relative to the base URL,",
        "# unencoded; {refused_port} is a port where nothing listens (SampleCity.refused_port).",
        "# negatives: look suspicious but must NOT be reported.",
    ]
    for key in KEYS:
        lines.append(f"{key}:")
        for entry in truth[key]:
            flow = yaml.safe_dump(entry, allow_unicode=True, default_flow_style=True, sort_keys=False, width=1000)
            lines.append(f"  - {flow.strip()}")
    return "\n".join(lines) + "\n"
