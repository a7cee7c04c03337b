"""Versions of a projet de quartier: finding one, and what changed between two snapshots."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Mapping

from participation.priorities.models import ProjetDeQuartier, ProjetVersion


def version_of(projet: ProjetDeQuartier, number: int) -> ProjetVersion | None:
    return next((v for v in projet.versions if v.number == number), None)


def _objectives(snap: Mapping[str, Any]) -> dict[tuple[str, int], dict[str, Any]]:
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for priority in snap.get("priorities", []):
        found["priority", priority["id"]] = {"title": priority["title"], "path": [priority["title"]], "detail": ""}
        for s in priority.get("strategic", []):
            found["strategic", s["id"]] = {"title": s["title"], "path": [priority["title"], s["title"]], "detail": ""}
            for o in s.get("operational", []):
                found["operational", o["id"]] = {"title": o["title"], "path": [priority["title"], s["title"], o["title"]],
                                                 "detail": o.get("description", "")}
    return found


@dataclass
class Diff:
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[dict[str, Any]]
    text: list[str]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def as_text(snap: Mapping[str, Any]) -> list[str]:
    lines = [snap.get("projet", {}).get("title", "")]
    for priority in snap.get("priorities", []):
        lines.append(f"# {priority['title']}")
        for s in priority.get("strategic", []):
            lines.append(f"  - {s['title']}")
            for o in s.get("operational", []):
                lines.append(f"    * {o['title']}" + (f" — {o['description']}" if o.get("description") else ""))
    return lines


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> Diff:
    """What changed between two snapshots: objectives added, removed or renamed (matched by id),
    and a line diff of the text."""
    a, b = _objectives(old), _objectives(new)
    added = [{"kind": key[0], **b[key]} for key in b if key not in a]
    removed = [{"kind": key[0], **a[key]} for key in a if key not in b]
    changed = [
        {"kind": key[0], "before": a[key], "after": b[key]}
        for key in a if key in b and (a[key]["title"], a[key]["detail"]) != (b[key]["title"], b[key]["detail"])
    ]
    text = list(difflib.unified_diff(as_text(old), as_text(new), lineterm="", n=1))[2:]
    return Diff(added, removed, changed, text)
