"""The base of every validated configuration model: unknown keys rejected, values frozen and stripped."""
from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def http_url(value: str) -> str:
    value = value.strip()
    if any(c.isspace() or ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 for c in value):
        raise ValueError("网址中不能有空格或控制字符（空格请写作 %20）")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("应为以 http:// 或 https:// 开头的完整网址")
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number or out of range
    except ValueError:
        raise ValueError("端口无效，应为 1–65535 之间的整数") from None
    if parts.port == 0:
        raise ValueError("端口无效，应为 1–65535 之间的整数")
    return value
