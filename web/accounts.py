"""Accounts: argon2 password hashes, roles, and the audit log — used by the console and by `zwgk users`."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from store import clock
from store import models as m
from store.models_console import ROLES, AuditEntry, ConsoleUser

ROLE_NAMES = {"admin": "办公室管理员", "evaluator": "评估人员", "department": "单位用户"}
MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")
_hasher = PasswordHasher()
# verifying against this when the user does not exist keeps the answer time the same
_DUMMY = _hasher.hash("zwgk-not-a-password")


def precise_now() -> datetime:
    """Local time to the microsecond (store.clock.now() keeps whole seconds): a password change and a login
    in the same second must still be told apart, so that sessions opened before the change end."""
    return datetime.now(clock.zone()).replace(tzinfo=None)


class AccountError(ValueError):
    """A refused account change; str() is one Chinese line."""


@dataclass(frozen=True)
class Actor:
    """Who acts, for the audit log."""

    user_id: int | None
    username: str
    remote_addr: str | None = None


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符")
    if password.isdigit() or password.isalpha():
        raise AccountError("密码须同时包含字母和数字或符号")


def add_user(session: Session, actor: Actor, *, username: str, password: str, role: str,
             department: str | None = None, display_name: str | None = None) -> ConsoleUser:
    username = username.strip()
    if not _USERNAME.match(username):
        raise AccountError("用户名应为 2–64 个字母、数字、下划线、点或连字符")
    if role not in ROLES:
        raise AccountError(f"角色应为 {'、'.join(ROLES)} 之一（实际为 {role!r}）")
    if role == "department":
        if not department:
            raise AccountError("单位用户须指定所属单位（--department）")
        if session.get(m.Department, department) is None:
            raise AccountError(f"单位 {department!r} 不在数据库中（请先抓取或导入名录）")
    elif department:
        raise AccountError("只有单位用户才指定所属单位")
    if session.scalars(select(ConsoleUser).where(ConsoleUser.username == username)).first() is not None:
        raise AccountError(f"用户名 {username!r} 已存在")
    check_password(password)
    now = precise_now()
    user = ConsoleUser(username=username, display_name=(display_name or username).strip()[:100],
                       password_hash=_hasher.hash(password), role=role, department_id=department, active=True,
                       created_at=now, password_changed_at=now)
    session.add(user)
    session.flush()
    audit(session, actor, "user.add", f"user:{username}", {"role": role, "department": department})
    return user


def set_password(session: Session, actor: Actor, user: ConsoleUser, password: str) -> None:
    check_password(password)
    user.password_hash = _hasher.hash(password)
    user.password_changed_at = precise_now()  # every session opened before this is void
    audit(session, actor, "user.password", f"user:{user.username}", {})


def set_active(session: Session, actor: Actor, user: ConsoleUser, active: bool) -> None:
    user.active = active
    user.password_changed_at = precise_now()  # a disabled account's sessions end at once
    audit(session, actor, "user.enable" if active else "user.disable", f"user:{user.username}", {})


def authenticate(session: Session, username: str, password: str) -> ConsoleUser | None:
    user = session.scalars(select(ConsoleUser).where(ConsoleUser.username == username.strip())).first()
    if user is None or not user.active:
        try:
            _hasher.verify(_DUMMY, password)
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = clock.now()
    return user


def find_user(session: Session, username: str) -> ConsoleUser:
    user = session.scalars(select(ConsoleUser).where(ConsoleUser.username == username.strip())).first()
    if user is None:
        raise AccountError(f"用户 {username!r} 不存在")
    return user


def audit(session: Session, actor: Actor, action: str, target: str, detail: dict) -> AuditEntry:
    entry = AuditEntry(at=clock.now(), user_id=actor.user_id, username=actor.username[:64], action=action,
                       target=target[:200], detail=detail, remote_addr=(actor.remote_addr or None))
    session.add(entry)
    return entry
