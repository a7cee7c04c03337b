"""The dependencies point one way (STYLE.md): the import contracts of pyproject.toml hold."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    # The console script installed with the test extras, next to this interpreter.
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.exists(), "pip install -e '.[test]' installs import-linter's lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
