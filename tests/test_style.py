"""The code stays calm: ruff with the house rules (B, E, F, I, UP, W) over everything we wrote."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .conftest import need

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    need("ruff")
    result = subprocess.run(["ruff", "check", "--no-cache", "app.py", "coverage", "tests", "bench"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
