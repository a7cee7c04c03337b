"""Models of the workshops domain."""
from __future__ import annotations
