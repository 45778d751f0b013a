"""The audit log as open data: a CSV a body can file or hand to whoever asks."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

COLUMNS = ("id", "at", "actor", "action", "post_id", "reason", "detail")


def audit_csv(rows: Iterable[dict[str, Any]]) -> str:
    """Audit rows as CSV (UTF-8, one decision a row, oldest first)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        # Cells starting with these run as formulas in spreadsheets: keep them as text.
        writer.writerow({k: ("'" + v if isinstance(v, str) and v[:1] in "=+-@\t\r" else v)
                         for k, v in row.items()})
    return out.getvalue()
