"""What `zwgk health --notify` already sent (issue 15): one row per problem and channel.

A problem that persists is not sent again on every run (a monitoring system calls health every few minutes);
a row is dropped when its problem clears, so the problem is sent again if it comes back. Kept in its own
module; imported by store.models so that Base.metadata (and Alembic) see it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base


class HealthAlert(Base):
    __tablename__ = "health_alerts"

    # the problem's stable key (kind and what it is about, e.g. "job:crawl-department:42")
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)  # email | webhook
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    first_sent_at: Mapped[datetime] = mapped_column(DateTime)
    last_sent_at: Mapped[datetime] = mapped_column(DateTime)
