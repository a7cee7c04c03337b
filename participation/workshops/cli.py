"""`flask workshops ...`: the workshops' command group (the demo world café is loaded by `flask seed demo`)."""
from __future__ import annotations

from flask.cli import AppGroup

workshops_cli = AppGroup("workshops", help="Ateliers (world café, diagnostic en marchant…).")
