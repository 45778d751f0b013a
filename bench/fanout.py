"""Fan-out: how fast an editor's decision reaches every wall, and what each wall costs the server.

A real Piazza server (the README's production command, `gunicorn -c gunicorn.conf.py`, one
gevent process; or `--mode threading`: `python app.py` on threads, to compare) runs on a fresh
SQLite file holding an event with 200 approved and 3,000 pending posts (each wall's snapshot:
the newest 100). For each number of
walls (50, 200, 1,000):

- memory: the server process's resident memory before and after the walls connect, per wall;
- latency: an editor approves 80 posts, one every 250 ms; for each decision, the time from
  sending `decide` to its acknowledgement, to a second editor's console, and to every wall;
- throughput: the editor approves 400 more posts as fast as acknowledgements come back, then a
  bulk approval of 100 posts at once; deliveries per second = posts received by all walls /
  time from the first decision to the last arrival.

The walls are minimal Socket.IO clients (Engine.IO 4 over WebSocket) in one asyncio process, and
the editors in another, so the figures are the server's rather than a client library's; all of
them share this machine's cores with the server. Times are CLOCK_MONOTONIC, common to every
process. Run: python bench/fanout.py [--walls 50,200,1000] [--mode gevent|threading]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing as mp
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from bench.ingest import status  # noqa: E402
from bench.machine import describe  # noqa: E402
from coverage.sources import mastodon  # noqa: E402
from coverage.store import Store  # noqa: E402
from tests.livesrv import Server, gunicorn_command  # noqa: E402

SLUG = "bench"
APPROVED, PENDING = 200, 3000  # a wall's snapshot is the newest 100 of the approved
LATENCY_DECISIONS, LATENCY_GAP = 80, 0.25
BURST_DECISIONS, BULK = 400, 100
# Every approved post a frame carries, alone or inside a coalesced batch: its seq.
APPROVED_SEQ = re.compile(rb'\["post_approved",\{"seq":(\d+)')
ACK = re.compile(rb"^43/console,(\d+)\[(.*)\]$", re.S)


# -- the database ------------------------------------------------------------------------------
def prepare(db: Path) -> list[str]:
    """An event with approved and pending posts, and two editors; returns their login links'
    tokens."""
    store = Store(db)
    store.create_event({"slug": SLUG, "name": "Bench", "hashtags": ["pasocial"]})
    source = store.add_source(SLUG, "replay", {"speed": 0})["id"]
    for start in range(0, APPROVED + PENDING, 500):
        page = [status(n) for n in range(start, min(start + 500, APPROVED + PENDING))]
        store.ingest(source, mastodon.posts_from_payload(page), {"page": start})
    ids = [p["id"] for p in store.posts_of_event(store.get_event(SLUG)["id"], state="pending",
                                                 limit=APPROVED, oldest_first=True)]
    store.decide_many(SLUG, ids, "approve", "bench")
    tokens = [store.create_login_token(store.create_user(name, "editor")["id"])
              for name in ("ada", "bea")]
    store.close()
    return tokens


def pending_ids(db: Path) -> list[int]:
    store = Store(db)
    try:
        return [p["id"] for p in store.posts_of_event(store.get_event(SLUG)["id"],
                                                      state="pending", limit=PENDING,
                                                      oldest_first=True)]
    finally:
        store.close()


# -- minimal Socket.IO clients -------------------------------------------------------------
class Client(asyncio.Protocol):
    """A Socket.IO client reduced to what a wall or a console does on the wire: a WebSocket
    (RFC 6455) handshake, Engine.IO's open and pings, a namespace connect, and the time each
    message arrives. Hand-made so that 1,000 of them cost the shared CPU as little as
    possible."""

    def __init__(self, port: int, namespace: str, on_message, cookie: str = "") -> None:
        self.port, self.namespace, self.on_message = port, namespace, on_message
        self.cookie = f"Cookie: {cookie}\r\n" if cookie else ""
        self.buffer, self.message = bytearray(), bytearray()
        self.upgraded = False
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport) -> None:
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                         f"Host: 127.0.0.1:{self.port}\r\nUpgrade: websocket\r\n"
                         f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                         f"Sec-WebSocket-Version: 13\r\n{self.cookie}\r\n").encode())

    def connection_lost(self, exc) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                raise RuntimeError(bytes(buffer[:end]).decode(errors="replace"))
            del buffer[:end + 4]
            self.upgraded = True
        while len(buffer) >= 2:
            length, start = buffer[1] & 0x7F, 2
            if length == 126:
                length, start = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                length, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + length:
                return
            fin, opcode = buffer[0] & 0x80, buffer[0] & 0x0F
            self.message += buffer[start:start + length]
            del buffer[:start + length]
            if opcode == 8:  # the server closes
                self.transport.close()
                return
            if fin:
                message, self.message = bytes(self.message), bytearray()
                if message == b"2":
                    self.send("3")  # Engine.IO's ping: pong
                elif message[:1] == b"0":
                    self.send(f"40{self.namespace}," + json.dumps({"event": SLUG}))
                else:
                    self.on_message(now, message)

    def send(self, text: str) -> None:
        data, mask = text.encode(), os.urandom(4)
        if len(data) < 126:
            header = bytes([0x81, 0x80 | len(data)])
        elif len(data) < 65536:
            header = bytes([0x81, 0x80 | 126]) + len(data).to_bytes(2, "big")
        else:
            header = bytes([0x81, 0x80 | 127]) + len(data).to_bytes(8, "big")
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.transport.write(header + mask + masked)

    def close(self) -> None:
        self.transport.write(bytes([0x88, 0x80]) + os.urandom(4))
        self.transport.close()


def walls_process(port: int, count: int, conn) -> None:
    """Connect `count` walls, report when all are synced, record every approved post each
    receives, and send the records back when told to stop."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        arrivals: list[tuple[float, bytes]] = []
        synced = 0
        all_synced = asyncio.Event()

        def on_message(now: float, message: bytes) -> None:
            nonlocal synced
            if message.startswith(b'42/wall,["synced"'):
                synced += 1
                if synced == count:
                    all_synced.set()
            elif b"post_approved" in message:
                arrivals.append((now, message))

        walls = []
        started = time.monotonic()
        for _ in range(count):
            _, wall = await loop.create_connection(lambda: Client(port, "/wall", on_message),
                                                   "127.0.0.1", port)
            walls.append(wall)
        await asyncio.wait_for(all_synced.wait(), 300)
        conn.send(("ready", time.monotonic() - started))
        await loop.run_in_executor(None, conn.recv)  # "stop"
        records = [(t, int(seq)) for t, frame in arrivals for seq in APPROVED_SEQ.findall(frame)]
        conn.send((records, [t for t, _ in arrivals]))
        for wall in walls:
            wall.close()
        await asyncio.gather(*(wall.closed for wall in walls))

    asyncio.run(main())


class Editor:
    """A logged-in console: sends decisions and times their acknowledgements."""

    def __init__(self, port: int, cookie: str) -> None:
        self.port, self.cookie = port, cookie
        self.acks: dict[int, asyncio.Future] = {}
        self.next_id = 0
        self.arrivals: list[tuple[float, int]] = []
        self.ready = asyncio.Event()

    async def connect(self) -> None:
        _, self.client = await asyncio.get_running_loop().create_connection(
            lambda: Client(self.port, "/console", self.on_message, self.cookie),
            "127.0.0.1", self.port)
        await asyncio.wait_for(self.ready.wait(), 60)

    def on_message(self, now: float, message: bytes) -> None:
        if message.startswith(b'42/console,["synced"'):
            self.ready.set()
        elif message.startswith(b"43/console,"):
            match = ACK.match(message)
            self.acks.pop(int(match.group(1))).set_result((now, json.loads(match.group(2))))
        elif b"post_approved" in message:
            self.arrivals += [(now, int(s)) for s in APPROVED_SEQ.findall(message)]

    async def decide(self, payload: dict) -> tuple[float, float, dict]:
        """Send one decision; return when it was sent, when acknowledged, and the reply."""
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.acks[self.next_id] = future
        sent = time.monotonic()
        self.client.send(f"42/console,{self.next_id}" + json.dumps(["decide", payload]))
        acked, reply = await future
        if not reply.get("ok"):
            raise RuntimeError(f"decision refused: {reply}")
        return sent, acked, reply

    async def close(self) -> None:
        self.client.close()
        await self.client.closed


# -- one run ---------------------------------------------------------------------------------
def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def serving_pid(server: Server) -> int:
    """The process that holds the connections: gunicorn's worker, or app.py itself."""
    pid = server.proc.pid
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return int(children[0]) if children else pid


async def measure(server: Server, tokens: list[str], ids: list[int], walls: int) -> dict:
    cookies = []
    for token in tokens:
        response = httpx.get(f"{server.base}/login/{token}", follow_redirects=False)
        cookies.append(f"session={response.cookies['session']}")
    ada, bea = Editor(server.port, cookies[0]), Editor(server.port, cookies[1])
    await ada.connect()
    await bea.connect()
    pid = serving_pid(server)
    rss_before = rss_kib(pid)

    parent, child = mp.Pipe()
    process = mp.get_context("spawn").Process(target=walls_process,
                                              args=(server.port, walls, child))
    process.start()
    loop = asyncio.get_running_loop()
    _, connect_seconds = await loop.run_in_executor(None, parent.recv)
    await asyncio.sleep(1.0)
    rss_after = rss_kib(pid)

    cpu_before = cpu_seconds(pid), cpu_seconds(process.pid), time.monotonic()
    sent: dict[int, float] = {}
    acks = []
    for post_id in ids[:LATENCY_DECISIONS]:
        t_sent, t_ack, reply = await ada.decide({"post_id": post_id, "action": "approve"})
        sent[reply["seq"]] = t_sent
        acks.append(t_ack - t_sent)
        await asyncio.sleep(max(0.0, LATENCY_GAP - (time.monotonic() - t_sent)))
    latency_seqs = set(sent)
    elapsed = time.monotonic() - cpu_before[2]
    server_cpu = (cpu_seconds(pid) - cpu_before[0]) / elapsed
    walls_cpu = (cpu_seconds(process.pid) - cpu_before[1]) / elapsed
    await asyncio.sleep(1.0)

    burst_started = time.monotonic()
    burst = ids[LATENCY_DECISIONS:LATENCY_DECISIONS + BURST_DECISIONS]
    for post_id in burst:
        t_sent, t_ack, reply = await ada.decide({"post_id": post_id, "action": "approve"})
        sent[reply["seq"]] = t_sent
    bulk = ids[LATENCY_DECISIONS + BURST_DECISIONS:][:BULK]
    t_sent, _, reply = await ada.decide({"post_ids": bulk, "action": "approve"})
    await asyncio.sleep(3.0)

    parent.send("stop")
    records, frames = await loop.run_in_executor(None, parent.recv)
    process.join(60)
    await ada.close()
    await bea.close()

    wall_latency = [(t - sent[seq]) * 1000 for t, seq in records if seq in latency_seqs]
    console_latency = [(t - sent[seq]) * 1000 for t, seq in bea.arrivals if seq in latency_seqs]
    burst_records = [t for t, seq in records if seq not in latency_seqs]
    expected_burst = walls * (len(burst) + len(bulk))
    return {
        "walls": walls, "connect_s": connect_seconds,
        "kib_per_wall": (rss_after - rss_before) / walls,
        "ack_p50": statistics.median(acks) * 1000, "ack_p99": percentile(acks, 99) * 1000,
        "console_p50": statistics.median(console_latency),
        "console_p99": percentile(console_latency, 99),
        "wall_p50": statistics.median(wall_latency), "wall_p99": percentile(wall_latency, 99),
        "wall_max": max(wall_latency),
        "latency_deliveries": f"{len(wall_latency)}/{walls * LATENCY_DECISIONS}",
        "burst_deliveries": f"{len(burst_records)}/{expected_burst}",
        "deliveries_per_s": len(burst_records) / (max(burst_records) - burst_started),
        "burst_frames": sum(1 for t in frames if t >= burst_started),
        "cpu": f"server {server_cpu:.0%}, walls {walls_cpu:.0%}",
    }


def run(mode: str, walls: int, worker: str | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        tokens = prepare(db)
        ids = pending_ids(db)
        env = {"PIAZZA_DEMO": "0", "PIAZZA_COLLECT": "0", "PIAZZA_SECRET_KEY": "bench"}
        if mode == "threading":
            server = Server(Path(tmp), PIAZZA_ASYNC_MODE="threading", PIAZZA_DB=str(db), **env)
        else:
            def command(port: int) -> list[str]:
                return gunicorn_command(port) + (["-k", worker] if worker else [])
            server = Server(Path(tmp), command=command, PIAZZA_DB=str(db), **env)
        server.start()
        try:
            return asyncio.run(measure(server, tokens, ids, walls))
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walls", default="50,200,1000")
    parser.add_argument("--mode", choices=["gevent", "threading"], default="gevent")
    parser.add_argument("--worker", help="another gunicorn worker class, to compare (e.g. "
                        "geventwebsocket.gunicorn.workers.GeventWebSocketWorker)")
    args = parser.parse_args()
    print(f"machine: {describe()}")
    print(f"serving: {args.mode}{f' ({args.worker})' if args.worker else ''}, one process")
    print(f"{'walls':>6} {'connect':>8} {'kB/wall':>8} {'ack p50':>8} {'ack p99':>8} "
          f"{'console p50':>11} {'wall p50':>9} {'wall p99':>9} {'wall max':>9} "
          f"{'deliveries/s':>12}  delivered (latency; burst in frames); CPU while deciding")
    for walls in (int(n) for n in args.walls.split(",")):
        r = run(args.mode, walls, args.worker)
        print(f"{r['walls']:>6} {r['connect_s']:>7.1f}s {r['kib_per_wall'] * 1.024:>8.1f} "
              f"{r['ack_p50']:>6.1f}ms {r['ack_p99']:>6.1f}ms {r['console_p50']:>9.1f}ms "
              f"{r['wall_p50']:>7.1f}ms {r['wall_p99']:>7.1f}ms {r['wall_max']:>7.1f}ms "
              f"{r['deliveries_per_s']:>12,.0f}  {r['latency_deliveries']}; "
              f"{r['burst_deliveries']} in {r['burst_frames']:,}; {r['cpu']}", flush=True)


if __name__ == "__main__":
    main()
