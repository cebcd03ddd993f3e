"""Send health problems by e-mail and/or webhook, each problem once (issue 15).

What was sent is remembered in the health_alerts table (store/models_health.py), per problem and channel:
a problem that persists is sent again only after `repeat_hours`, a channel that failed is tried again on the
next run, and a problem that cleared is forgotten, so it is sent again if it comes back.
"""
from __future__ import annotations

import json
import os
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scheduler.health import Problem
from store import clock
from store.alerts_config import AlertSettings, EmailAlerts, WebhookAlerts
from store.models_health import HealthAlert


class NotifyConfigError(ValueError):
    """The alerts configuration cannot be used as it stands (a named environment variable is not set)."""


@dataclass
class NotifyResult:
    sent: list[tuple[str, str]] = field(default_factory=list)  # (problem key, channel)
    already: int = 0  # problems × channels sent before and not due again
    failures: list[str] = field(default_factory=list)  # one Chinese line per failed delivery


def check_environment(alerts: AlertSettings) -> None:
    """Fail before anything is sent when a password or token variable the file names is not set."""
    for where, name in (("alerts.email.password_env", alerts.email and alerts.email.password_env),
                        ("alerts.webhook.token_env", alerts.webhook and alerts.webhook.token_env)):
        if name and not os.environ.get(name):
            raise NotifyConfigError(f"{where}: 环境变量 {name} 未设置（口令不写在 sites.yaml 中，请在运行环境中设置）")


def notify(session: Session, alerts: AlertSettings, problems: list[Problem], *, now: datetime | None = None
           ) -> NotifyResult:
    now = now or clock.now()
    check_environment(alerts)
    result = NotifyResult()
    known = {(r.key, r.channel): r for r in session.scalars(select(HealthAlert))}
    repeat = timedelta(hours=alerts.repeat_hours) if alerts.repeat_hours else None
    for channel, cfg in (("email", alerts.email), ("webhook", alerts.webhook)):
        if cfg is None:
            continue
        due = []
        for problem in problems:
            row = known.get((problem.key, channel))
            if row is not None and (repeat is None or now - row.last_sent_at < repeat):
                result.already += 1
            else:
                due.append(problem)
        # many new problems at once (every department short of probes when the scheduler stopped): the first
        # ones one by one, the rest in one digest, so that nobody receives a hundred messages in a minute
        batches = [[p] for p in due[:alerts.max_per_run - 1]]
        rest = due[alerts.max_per_run - 1:]
        if rest:
            batches.append(rest)
        for number, batch in enumerate(batches):
            message = batch[0] if len(batch) == 1 else _digest(batch)
            try:
                if channel == "email":
                    send_email(cfg, message, now)
                else:
                    send_webhook(cfg, message, now)
            except DeliveryError as exc:  # the server is down or refuses: the rest waits for the next run
                left = sum(len(b) for b in batches[number + 1:])
                result.failures.append(f"{exc}" + (f"；其余 {left} 个问题本次未发送" if left else ""))
                break
            for problem in batch:
                _remember(session, known, problem, channel, now)
                result.sent.append((problem.key, channel))
            session.commit()  # at once: a later failure must not make us send these again
    current = {p.key for p in problems}
    cleared = [key for key, _ in known if key not in current]
    if cleared:
        session.execute(delete(HealthAlert).where(HealthAlert.key.in_(cleared)))
        session.commit()
    return result


def _remember(session: Session, known: dict, problem: Problem, channel: str, now: datetime) -> None:
    row = known.get((problem.key, channel))
    if row is None:
        row = HealthAlert(key=problem.key, channel=channel, kind=problem.kind, message=problem.message,
                          first_sent_at=now, last_sent_at=now)
        session.add(row)
        known[(problem.key, channel)] = row
    else:
        row.last_sent_at, row.message = now, problem.message


def _digest(problems: list[Problem]) -> Problem:
    kinds = sorted({p.kind for p in problems})
    return Problem(key="digest", kind="digest", message=f"另有 {len(problems)} 个问题（{'、'.join(kinds)}），详见正文",
                   detail={"problems": [p.as_dict() for p in problems]})


class DeliveryError(RuntimeError):
    """A message could not be delivered; str() is one Chinese line naming the server or URL."""


def send_email(cfg: EmailAlerts, problem: Problem, now: datetime) -> None:
    msg = EmailMessage()
    msg["Subject"] = f"{cfg.subject_prefix}{problem.message[:120]}"
    msg["From"] = cfg.sender
    msg["To"] = ", ".join(cfg.to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=cfg.sender.rpartition("@")[2])
    msg.set_content(_body(problem, now))
    try:
        if cfg.security == "ssl":
            smtp = smtplib.SMTP_SSL(cfg.host, cfg.effective_port, timeout=cfg.timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.effective_port, timeout=cfg.timeout)
        with smtp:
            if cfg.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if cfg.user:
                smtp.login(cfg.user, os.environ.get(cfg.password_env or "", ""))
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"邮件未能发送（{cfg.host}:{cfg.effective_port}）：{_reason(exc)}") from None


def _body(problem: Problem, now: datetime) -> str:
    if problem.kind == "digest":
        listed = "\n".join(f"{i}. {p['message']}" for i, p in enumerate(problem.detail["problems"], 1))
        what = f"{problem.message}\n\n{listed}\n"
    else:
        what = (f"{problem.message}\n\n类别：{problem.kind}\n标识：{problem.key}\n\n"
                f"{json.dumps(problem.detail, ensure_ascii=False, indent=2, default=str)}\n")
    return (f"{what}\n发现时间：{now:%Y-%m-%d %H:%M}\n主机：{socket.gethostname()}\n\n"
            "（本邮件由 zwgk health --notify 发送；问题持续存在时不会重复发送，解决后如再次出现会重新发送。）\n")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed: the alert goes to the configured address or fails visibly."""

    def redirect_request(self, *args, **kwargs):
        return None


def send_webhook(cfg: WebhookAlerts, problem: Problem, now: datetime) -> None:
    payload = {"source": "zwgk-audit", "host": socket.gethostname(), "at": now.isoformat(), **problem.as_dict()}
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "zwgk-audit health"}
    if cfg.token_env:
        headers["Authorization"] = f"Bearer {os.environ.get(cfg.token_env, '')}"
    request = urllib.request.Request(cfg.url, data=json.dumps(payload, ensure_ascii=False).encode(), method="POST",
                                     headers=headers)
    opener = urllib.request.build_opener(_NoRedirect)
    shown = _shown(cfg.url)
    try:
        with opener.open(request, timeout=cfg.timeout) as response:
            response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"通知未能送达（{shown}）：对方返回 HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DeliveryError(f"通知未能送达（{shown}）：{_reason(exc)}") from None


def _shown(url: str) -> str:
    """The webhook's address without its query and user info: chat-robot webhooks carry their key there."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return urlunsplit((parts.scheme, f"{host}:{parts.port}" if parts.port else host, parts.path, "", ""))


def _reason(exc: BaseException) -> str:
    inner = getattr(exc, "reason", None)
    if isinstance(inner, BaseException):
        exc = inner
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "用户名或口令错误"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "连接超时"
    if isinstance(exc, ConnectionRefusedError):
        return "连接被拒绝"
    if isinstance(exc, socket.gaierror):
        return "无法解析主机名"
    if isinstance(exc, ssl.SSLError):
        return "TLS 握手失败"
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
