"""The unit of work: services add and flush; a request or a command commits once, here.

`web.commit_unit_of_work` calls `commit()` after each view; CLI commands wrap their work in
`with unit_of_work():`. Nothing else in the application commits or rolls back.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError

from participation.extensions import db


def commit() -> None:
    db.session.commit()


def rollback() -> None:
    """Undo what the unit flushed; a connection that is already gone is simply dropped."""
    try:
        db.session.rollback()
    except DBAPIError:
        pass


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Everything inside is stored together, or (on any exception) not at all."""
    try:
        yield
    except BaseException:
        rollback()
        raise
    commit()
