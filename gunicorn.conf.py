"""gunicorn settings for Piazza in production: `gunicorn -c gunicorn.conf.py app:app`.

One gevent worker per gunicorn process: Socket.IO connections live in the memory of the process
that accepted them, so several processes are several gunicorn commands on their own ports,
behind a reverse proxy, with PIAZZA_REDIS_URL set (docs/SCALING.md, docs/deploy/nginx.conf).
"""

import os

bind = os.environ.get("PIAZZA_BIND", "127.0.0.1:5000")
worker_class = "gevent"
workers = 1
worker_connections = 10_000  # open connections per process (walls, embeds, consoles)
timeout = 60  # a worker that stops answering its heartbeat for this long is restarted
graceful_timeout = 10
accesslog = None  # no access log: readers' addresses are personal data (docs/SECURITY.md)
errorlog = "-"


def post_worker_init(worker):
    """Start Piazza's background work (live follower, collector) once the worker has the app."""
    from coverage.server import start

    host, _, port = worker.cfg.bind[0].rpartition(":")  # the address gunicorn really uses
    worker.piazza_collector = start(worker.wsgi, host or "127.0.0.1", int(port or 80))


def worker_exit(server, worker):
    """Hand the collector's leases back on a clean stop, so another process takes over now."""
    collector = getattr(worker, "piazza_collector", None)
    if collector is not None:
        collector.stop()
