"""Records every ORM change made during a privileged account's request, and reads the log."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask, has_request_context
from flask_login import current_user
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, selectinload

from participation.accounts.models import Role, User
from participation.audit.models import AuditEntry
from participation.extensions import db
from participation.modelbase import utcnow

AUDITED_ROLES = frozenset({Role.FACILITATOR, Role.OFFICIAL, Role.ADMIN})


def _actor() -> User | None:
    if not has_request_context():
        return None
    user = current_user._get_current_object()
    if getattr(user, "is_authenticated", False) and user.role in AUDITED_ROLES:
        return user
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


def _audited(obj: Any) -> bool:
    return getattr(obj, "__audit__", True) and hasattr(obj, "__tablename__")


def _column_changes(obj: Any, action: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    excluded = getattr(obj, "__audit_exclude__", frozenset()) | {"created_at", "updated_at"}
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in excluded:
            continue
        history = state.attrs[key].history
        if action == "create":
            value = getattr(obj, key)
            if value is not None:
                changes[key] = [None, _plain(value)]
        elif action == "delete":
            value = history.unchanged[0] if history.unchanged else (
                history.deleted[0] if history.deleted else None
            )
            if value is not None:
                changes[key] = [_plain(value), None]
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changes[key] = [_plain(old), _plain(new)]
    return changes


def _entity_id(obj: Any) -> str:
    # In after_flush new rows have their keys, but not yet an identity in the session.
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return ":".join(str(part) for part in key)


def _after_flush(session: Session, flush_context: Any) -> None:
    actor = _actor()
    if actor is None:
        return
    rows = []
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not _audited(obj):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _column_changes(obj, action)
            if action == "update" and not changes:
                continue
            rows.append(
                {
                    "created_at": utcnow(),
                    "actor_id": actor.id,
                    "actor_role": actor.role.value,
                    "action": action,
                    "entity": type(obj).__name__,
                    "entity_id": _entity_id(obj),
                    "changes": changes,
                }
            )
    if rows:
        # A Core insert: the ORM does not accept new objects while it is flushing.
        session.connection().execute(AuditEntry.__table__.insert(), rows)


def init_app(app: Flask) -> None:
    # Every Flask-SQLAlchemy session is of this class; listening once covers all apps.
    if not event.contains(FlaskSession, "after_flush", _after_flush):
        event.listen(FlaskSession, "after_flush", _after_flush)


def entries(
    *, entity: str | None = None, entity_id: str | None = None, actor_id: int | None = None,
    limit: int = 100, offset: int = 0,
):
    query = (
        select(AuditEntry)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    return db.session.scalars(query.limit(limit).offset(offset)).all()
