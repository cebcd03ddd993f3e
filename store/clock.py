"""Wall-clock time as the audited sites show it: naive datetimes in China Standard Time.

Pages state publication times in Beijing time without a zone; storing crawl times in the same zone keeps
lags (repost within 24 h, first-seen bounds) comparable. ZWGK_TZ overrides the zone.
"""
from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo


def zone() -> ZoneInfo:
    return ZoneInfo(os.environ.get("ZWGK_TZ", "Asia/Shanghai"))


def now() -> datetime:
    return datetime.now(zone()).replace(tzinfo=None, microsecond=0)


def today() -> date:
    return now().date()
