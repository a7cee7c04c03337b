"""Routes of the workshops domain."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("workshops", __name__)
