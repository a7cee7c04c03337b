"""Routes of the questionnaires domain."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("questionnaires", __name__)
