"""Tables for scoring and audit data used by the checks (issue 4).

Kept in its own module so each area's schema grows without touching the core model; imported by
store.models so that Base.metadata (and Alembic) see every table.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base, IdType, UrlType, url_keyed


class PrivacyHit(Base):
    """Personal data found in a published text (page or attachment), as crawler.parsing.privacy reports it.

    Only the masked value and a masked excerpt are kept: the raw number is never stored.
    """

    __tablename__ = "privacy_hits"
    __table_args__ = (
        *url_keyed("uq_privacy_hits_run_source_kind_masked", "run_id", "source_url", "kind", "masked"),
        Index("ix_privacy_hits_run_department", "run_id", "department_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    department_id: Mapped[Optional[str]] = mapped_column(String(64))
    # the page the leak is on, or the page that links the attachment
    document_url: Mapped[str] = mapped_column(UrlType)
    # the page or attachment whose text holds the number
    source_url: Mapped[str] = mapped_column(UrlType)
    kind: Mapped[str] = mapped_column(String(20))  # id_number | mobile_number
    masked: Mapped[str] = mapped_column(String(40))
    excerpt: Mapped[str] = mapped_column(Text)
