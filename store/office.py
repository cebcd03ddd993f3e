"""The `office:` section of sites.yaml: who issues the bulletins (通报) and how they are numbered and sent.

Everything is optional; what is absent falls back to a sensible default in the bulletin (reports/), so a
registry without this section still yields a complete 公文. Validated like the rest of sites.yaml.
"""
from __future__ import annotations

import re

from pydantic import Field, field_validator

from store.strict import StrictModel

_PHONE = re.compile(r"^[0-9０-９()（）\-－—+ ]{5,30}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Contact(StrictModel):
    """The office's contact for rectification reports (整改要求 names them)."""

    person: str | None = Field(default=None, min_length=1, max_length=40)
    phone: str | None = None
    email: str | None = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not _PHONE.match(value):
            raise ValueError("应为电话号码，如 0772-2801234")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("应为电子邮箱地址，如 zwgk@example.gov.cn")
        return value


class OfficeSettings(StrictModel):
    """How the office issues bulletins."""

    name: str | None = Field(default=None, min_length=2, max_length=60)  # 发文机关（署名）
    mark: str | None = Field(default=None, min_length=2, max_length=40)  # 发文机关标志（红头），默认同 name
    number_prefix: str | None = Field(default=None, min_length=1, max_length=20)  # 发文字号的机关代字，如“柳公开办”
    basis: list[str] = Field(default_factory=list)  # 依据文件，如 ["《关于……的通知》（柳政办〔2018〕142号）"]
    addressees: str | None = Field(default=None, min_length=2, max_length=200)  # 主送机关，默认按抽查范围
    copy_to: list[str] = Field(default_factory=list)  # 抄送机关
    printer: str | None = Field(default=None, min_length=2, max_length=60)  # 印发机关，默认同 name
    sealed: bool = True  # 加盖印章的落款（署名以成文日期为准居中）；false：署名右空二字
    contact: Contact | None = None
