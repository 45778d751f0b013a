"""Every benchmark, one after the other, each in its own process: python -m bench"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ("ingest", "console", "recap", "fanout")

if __name__ == "__main__":
    for name in SCRIPTS:
        print(f"\n== bench/{name}.py", flush=True)
        subprocess.run([sys.executable, f"bench/{name}.py"], cwd=ROOT, check=True)
