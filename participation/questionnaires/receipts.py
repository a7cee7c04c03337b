"""Which devices have answered: written apart from the responses, so the database cannot pair them.

A device that answered is remembered by the hash of its random token (questionnaire_receipts),
to send it to the thanks page if it comes back. Written in the response's own transaction, the
row would share its transaction id (PostgreSQL's xmin) and its place in the table (ctid,
SQLite's rowid) with the response, and so name it. Instead:

- the response's transaction only notes the marker in the session; once that transaction has
  committed, the marker joins a pending buffer of this process;
- when the buffer holds a batch (a size drawn at random between BATCH_MIN and BATCH_MAX), the
  batch is shuffled and inserted in one transaction of its own, on another connection.

Every marker of a batch then has the same xmin, which is no response's, and the batch's rows lie
in random order: a marker hides among the batch's responses. Markers still pending are lost if
the process stops; the device keeps its signed receipt cookie, which the views also read, so it
is still sent to the thanks page. Nothing here stores the receipt code.
"""
from __future__ import annotations

import random
import threading

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from participation.extensions import db
from participation.modelbase import dialect_insert
from participation.questionnaires.models import Questionnaire, Receipt

BATCH_MIN = 5
BATCH_MAX = 9
_SESSION_KEY = "questionnaire_receipts"
_EXTENSION = "questionnaire_receipts"
_random = random.SystemRandom()


class PendingMarkers:
    """The markers of this process waiting for their batch (one per app)."""

    def __init__(self, batch: tuple[int, int]):
        self.lock = threading.Lock()
        self.items: set[tuple[int, str]] = set()
        self.batch = batch
        self.threshold = self._draw()

    def _draw(self) -> int:
        low, high = self.batch
        return _random.randint(low, max(low, high))

    def add(self, items) -> list[tuple[int, str]]:
        """Adds markers; returns a shuffled batch to write when the buffer is full, else []."""
        with self.lock:
            self.items.update(items)
            if len(self.items) < self.threshold:
                return []
            batch = list(self.items)
            self.items.clear()
            self.threshold = self._draw()
        _random.shuffle(batch)
        return batch

    def holds(self, questionnaire_id: int, token_hash: str) -> bool:
        with self.lock:
            return (questionnaire_id, token_hash) in self.items


def init_app(app) -> None:
    low = int(app.config.get("QUESTIONNAIRE_RECEIPT_BATCH_MIN", BATCH_MIN))
    high = int(app.config.get("QUESTIONNAIRE_RECEIPT_BATCH_MAX", BATCH_MAX))
    app.extensions[_EXTENSION] = PendingMarkers((low, high))


def _pending() -> PendingMarkers | None:
    return current_app.extensions.get(_EXTENSION) if has_app_context() else None


def remember(questionnaire_id: int, token_hash: str) -> None:
    """Marks the device as having answered, once the current transaction commits."""
    db.session.info.setdefault(_SESSION_KEY, set()).add((questionnaire_id, token_hash))


def answered(questionnaire_id: int, token_hash: str | None) -> bool:
    """This device (token) answered: its marker is written, or pending in this process."""
    if token_hash is None:
        return False
    pending = _pending()
    if pending is not None and pending.holds(questionnaire_id, token_hash):
        return True
    return db.session.get(Receipt, (questionnaire_id, token_hash)) is not None


def _write(batch: list[tuple[int, str]]) -> None:
    """One transaction on its own connection: the whole shuffled batch, in its shuffled order."""
    with db.engine.begin() as connection:
        existing = set(connection.scalars(
            select(Questionnaire.id).where(Questionnaire.id.in_({qid for qid, _h in batch}))))
        rows = [{"questionnaire_id": qid, "token_hash": hashed} for qid, hashed in batch if qid in existing]
        if not rows:
            return
        statement = dialect_insert(db.session, Receipt.__table__).on_conflict_do_nothing()
        for row in rows:  # one statement per row, so the rows lie in the shuffled order
            connection.execute(statement, row)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    items = session.info.pop(_SESSION_KEY, None)
    pending = _pending()
    if not items or pending is None:
        return
    batch = pending.add(items)
    if batch:
        try:
            _write(batch)
        except SQLAlchemyError as error:  # the devices keep their cookie; nothing else depends on it
            current_app.logger.warning("Questionnaire receipt markers not written: %s", error)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_SESSION_KEY, None)
