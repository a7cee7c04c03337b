"""Benchmarks: `python -m bench` runs every module listed in bench/__main__.py."""
from __future__ import annotations

import statistics
import time


def median_seconds(function, repeat: int, *, warm_up: bool = True) -> float:
    """The median wall time of `repeat` calls of `function`, after one call left out of the count."""
    if warm_up:
        function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)
