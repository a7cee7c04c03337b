"""iCalendar (RFC 5545) for upcoming workshops, so residents can add them to a phone calendar."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterable

from participation.modelbase import utcnow
from participation.workshops.models import Workshop


def _escape(text: str) -> str:
    return (
        (text or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets are folded (continuation lines start with a space)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return [line]
    parts, current = [], ""
    for char in line:
        limit = 75 if not parts else 74
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = char
        else:
            current += char
    parts.append(current)
    return [parts[0]] + [" " + part for part in parts[1:]]


def calendar(workshops: Iterable[Workshop], *, host: str, format_labels: dict, url_for_workshop) -> str:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Parlons Quartier//Ateliers//FR",
        "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
    ]
    now = _stamp(utcnow())
    for workshop in workshops:
        ends = workshop.ends_at or workshop.starts_at + timedelta(hours=2)
        label = format_labels.get(workshop.format, "")
        lines += [
            "BEGIN:VEVENT",
            f"UID:workshop-{workshop.id}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_stamp(workshop.starts_at)}",
            f"DTEND:{_stamp(ends)}",
            f"SUMMARY:{_escape(workshop.title)}",
            f"LOCATION:{_escape(workshop.place)}",
            f"DESCRIPTION:{_escape(f'{label} — {workshop.quartier.name}')}",
            f"URL:{url_for_workshop(workshop)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n"
