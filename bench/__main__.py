"""Runs each benchmark module's main() in turn: `python -m bench [--scale 0.1]`.

The list is explicit (no discovery): each domain adds its module here. A module's main() may take
the argument list (and should ignore options it does not know, e.g. with parse_known_args).
"""
from __future__ import annotations

import importlib
import inspect
import sys
import time

MODULES = [
    "bench.questionnaires",
    "bench.workshops",
    "bench.proposals",
    "bench.priorities",
]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    failures = 0
    for name in MODULES:
        print(f"=== {name} ===", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(name)
            if inspect.signature(module.main).parameters:
                module.main(argv)
            else:  # a main() that reads sys.argv itself
                sys.argv = [name, *argv]
                module.main()
        except Exception as error:  # noqa: BLE001 — report and go on with the other benchmarks
            failures += 1
            print(f"{name} failed: {error!r}", flush=True)
        print(f"=== {name}: {time.perf_counter() - started:.1f} s ===\n", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
