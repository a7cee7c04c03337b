"""Workshop times: typed and read in the contrat's local time, stored in UTC, shown without seconds.

`datetime.replace(tzinfo=pytz_zone)` gives the zone's first historical offset (Paris: LMT, +0:09),
which turned 18:00 into 18:51 on screen; zoneinfo zones apply the offset in force on that date.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import get_date_format, get_datetime_format, get_time_format
from flask_babel import format_date, format_datetime, format_time, get_locale

DEFAULT_ZONE = "Europe/Paris"

# Before the fix, a typed time was read with Paris's first historical offset (LMT, +0:09 with the
# pytz in use), so 18:00 was stored 9 minutes early and shown 18:51. Nothing in a row tells such
# a time from one really typed at 18:51: the migration flags the likely ones (a quarter hour plus
# 51 minutes) and their facilitators correct or confirm each (setup.correct_shifted_time).
LMT_SHIFT = timedelta(minutes=9)


def unshifted(moment: datetime | None, zone_name: str | None) -> datetime | None:
    """The moment the facilitator typed, from one the old code stored 9 minutes early."""
    if moment is None:
        return None
    typed = to_local(moment, "UTC") + LMT_SHIFT  # the wall time the old code read, as UTC
    return to_utc(typed, zone_name)


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def to_utc(local: datetime | None, zone_name: str | None) -> datetime | None:
    """The UTC moment of a wall-clock time typed in the contrat's zone."""
    if local is None:
        return None
    return local.replace(tzinfo=zone(zone_name)).astimezone(timezone.utc)


def to_local(moment: datetime | None, zone_name: str | None) -> datetime | None:
    """The wall-clock time (naive, for a datetime-local field) of a stored moment in the contrat's zone."""
    if moment is None:
        return None
    return moment.astimezone(zone(zone_name)).replace(tzinfo=None)


def _pattern(style: str) -> str:
    """The reader's locale's date-and-time pattern, with hours and minutes only."""
    locale = get_locale()
    date_style = "short" if style == "short" else "long"
    combined = str(get_datetime_format(date_style, locale=locale))
    return (combined.replace("{1}", get_date_format(date_style, locale=locale).pattern)
            .replace("{0}", get_time_format("short", locale=locale).pattern))


def format_moment(moment: datetime | None, style: str = "medium", zone_name: str | None = None) -> str:
    """A stored moment in the reader's language, at the contrat's local time, without seconds."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return format_datetime(moment.astimezone(zone(zone_name)), _pattern(style), rebase=False)


def format_day(moment: datetime | None, zone_name: str | None = None) -> str:
    """The day of a stored moment (at the contrat's local time) in the reader's language: 14 mars 2030."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return format_date(moment.astimezone(zone(zone_name)).date(), "long")


def format_hour(moment: datetime | None, zone_name: str | None = None) -> str:
    """The time of day of a stored moment at the contrat's local time, in the reader's language: 18:00."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return format_time(moment.astimezone(zone(zone_name)), "short", rebase=False)
