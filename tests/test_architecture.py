"""The layout holds (STYLE.md): dependencies point one way (the import contracts of pyproject.toml),
and no module is longer than a sitting."""
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


MAX_LINES = 550  # "about 500" (STYLE.md): a module a newcomer reads in one sitting


def test_no_module_is_longer_than_a_sitting():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "participation").rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, f"split along the module's own section comments: {too_long}"
