"""A real Piazza server for end-to-end tests: `python app.py` in a subprocess on a free port."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_command(port: int) -> list[str]:
    """The production command from the README, on a given port."""
    return [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b",
            f"127.0.0.1:{port}", "app:app"]


class Server:
    """`python app.py` as a new user starts it (or another command given the port, such as
    `gunicorn_command`), with its own database."""

    def __init__(self, tmp_path: Path, command: Callable[[int], list[str]] | None = None,
                 **env: str) -> None:
        self.port = free_port()
        self.command = (command or (lambda port: [sys.executable, "app.py", "--port",
                                                  str(port)]))(self.port)
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PIAZZA_DB": str(tmp_path / "piazza.db"),
                    "PIAZZA_EXPORTS": str(tmp_path / "exports"), "PYTHONUNBUFFERED": "1", **env}
        self.lines: list[str] = []
        self.proc: subprocess.Popen | None = None

    def start(self) -> Server:
        self.proc = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        reader = threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True)
        reader.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError("server did not start:\n" + "".join(self.lines))

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line)

    def login_link(self) -> str:
        for line in self.lines:
            match = re.search(r"(http://\S+/login/\S+)", line)
            if match:
                return match.group(1)
        raise AssertionError("no one-time login link printed:\n" + "".join(self.lines))

    def session_cookie(self) -> str:
        """Follow the printed one-time link like a browser; the session cookie's value."""
        response = httpx.get(self.login_link(), follow_redirects=False)
        assert response.status_code == 302
        return response.cookies["session"]

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc = None


def inbox(client, namespace: str, names: list[str]) -> queue.Queue:
    """Every message named `names` a python-socketio client receives, as (name, payload); a
    batch's own messages in its place (the protocol makes a batch equal to them, in order)."""
    messages: queue.Queue = queue.Queue()
    for name in names:
        client.on(name, (lambda n: lambda msg: messages.put((n, msg)))(name), namespace=namespace)

    def unpack(batch):
        for name, msg in batch["messages"]:
            if name in names:
                messages.put((name, msg))
    client.on("batch", unpack, namespace=namespace)
    return messages
