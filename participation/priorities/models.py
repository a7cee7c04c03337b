"""Models of the priorities domain."""
from __future__ import annotations
