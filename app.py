"""Piazza: `python app.py` serves the live wall and console (on an empty database, the demo)."""

import os

if os.environ.get("PIAZZA_ASYNC_MODE", "auto") in ("auto", "gevent"):
    # Before anything opens a socket or starts a thread: with gevent one process holds
    # thousands of live connections; with threads, a few hundred (docs/SCALING.md).
    from gevent import monkey

    monkey.patch_all()

from coverage import create_app  # noqa: E402
from coverage.server import serve  # noqa: E402

app = create_app()

if __name__ == "__main__":
    serve(app)
