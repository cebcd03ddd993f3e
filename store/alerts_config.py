"""The `alerts:` section of sites.yaml: where `zwgk health --notify` sends what it finds.

Two channels, each optional: e-mail over SMTP and a webhook (an HTTP POST of JSON). Passwords and tokens are
never written in the file: it names the environment variable that holds them. Validated like the rest of
sites.yaml, so `zwgk sites validate` reports a mistake in one line.
"""
from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from store.strict import StrictModel, http_url

_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HOST = re.compile(r"^[A-Za-z0-9.\-:\[\]]+$")


def _env_name(value: str | None) -> str | None:
    if value is not None and not _ENV.match(value):
        raise ValueError("应为环境变量名（字母、数字、下划线，不以数字开头），口令本身不得写在文件中")
    return value


def _address(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("应为电子邮箱地址，如 zwgk@example.gov.cn")
    return value


class EmailAlerts(StrictModel):
    """SMTP delivery: one message per new problem."""

    host: str = Field(min_length=1, max_length=253)
    port: int | None = None  # default: 465 with ssl, 587 with starttls, else 25
    # none: plain SMTP (a relay on the local network); starttls: upgrade after connecting; ssl: TLS from the start
    security: str = "starttls"
    user: str | None = Field(default=None, min_length=1, max_length=200)
    password_env: str | None = None  # the environment variable holding the password
    sender: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    subject_prefix: str = Field(default="【政务公开检查】", max_length=40)
    timeout: float = Field(default=30, gt=0, le=600)

    _password_env = field_validator("password_env")(_env_name)

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not _HOST.match(value):
            raise ValueError("应为邮件服务器的主机名或 IP 地址，如 smtp.example.gov.cn")
        return value

    @field_validator("port")
    @classmethod
    def _port(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 65535:
            raise ValueError("端口无效，应为 1–65535 之间的整数")
        return value

    @field_validator("security")
    @classmethod
    def _security(cls, value: str) -> str:
        if value not in ("none", "starttls", "ssl"):
            raise ValueError("取值无效，应为 none、starttls 或 ssl")
        return value

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        return _address(value)

    @field_validator("to")
    @classmethod
    def _to(cls, value: list[str]) -> list[str]:
        return [_address(v.strip()) for v in value]

    @model_validator(mode="after")
    def _login(self):
        if (self.user is None) != (self.password_env is None):
            raise ValueError("user 与 password_env 应同时填写（需要登录时）或都不填写")
        return self

    @property
    def effective_port(self) -> int:
        return self.port or {"ssl": 465, "starttls": 587}.get(self.security, 25)


class WebhookAlerts(StrictModel):
    """An HTTP(S) POST of one JSON object per new problem (企业微信、钉钉 or an own receiver behind a relay)."""

    url: str
    token_env: str | None = None  # sent as "Authorization: Bearer <token>" when set
    timeout: float = Field(default=15, gt=0, le=600)

    _url = field_validator("url")(http_url)
    _token_env = field_validator("token_env")(_env_name)


class AlertSettings(StrictModel):
    """Where health problems go, and how often a problem that persists is sent again."""

    email: EmailAlerts | None = None
    webhook: WebhookAlerts | None = None
    # a problem still present is sent again after this many hours; 0: only once until it clears
    repeat_hours: float = Field(default=24, ge=0)
    # at most this many messages per channel and run: further new problems go into one last, combined message
    max_per_run: int = Field(default=10, ge=2, le=1000)

    @model_validator(mode="after")
    def _some_channel(self):
        if self.email is None and self.webhook is None:
            raise ValueError("应至少填写 email 或 webhook 之一")
        return self
