"""Routes of the priorities domain."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("priorities", __name__)
