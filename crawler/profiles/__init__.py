"""Crawler profiles: site quirks as data (crawler/profiles/<name>.yaml), never as `if` branches.

A department names one with `profile:` in sites.yaml; without it the `default` profile applies.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from store.registry import ConfigError

PROFILE_DIR = Path(__file__).resolve().parent


class _ProfileFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = ""
    # always: every page through the browser; auto: only list pages whose static HTML has no items
    # but has scripts (and anti-bot challenges); never: no browser
    render: Literal["always", "auto", "never"] = "auto"


@dataclass(frozen=True)
class Profile:
    name: str
    render: str


def available() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))


@lru_cache(maxsize=None)
def load_profile(name: str | None) -> Profile:
    name = name or "default"
    path = PROFILE_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError(f"profile: 没有名为 {name!r} 的抓取配置；可用：{'、'.join(available())}")
    try:
        data = _ProfileFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(f"{path}: {'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    return Profile(name=name, render=data.render)
