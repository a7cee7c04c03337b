"""Models of the questionnaires domain."""
from __future__ import annotations
