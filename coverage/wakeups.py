"""Wake-ups between server processes, over Redis pub/sub: "the change log has grown".

Every process follows the shared change log and sends what changed to its own clients
(`live.Live`); a wake-up only tells the others to read it now rather than at their next tick,
so a decision made through one process reaches the walls of every process within milliseconds.
The change log stays the one source of truth: a lost wake-up delays a message by one tick,
never loses it, and no message can reach a client twice.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable

import redis

log = logging.getLogger(__name__)

CHANNEL = "piazza:changes"


class Wakeups:
    def __init__(self, url: str, on_wake: Callable[[], None]) -> None:
        self.redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        # Listening waits for as long as nothing happens; a health check keeps it honest.
        self.listener = redis.Redis.from_url(url, socket_connect_timeout=5,
                                             health_check_interval=30)
        self.on_wake = on_wake
        self.me = secrets.token_hex(8).encode()  # our own wake-ups need not wake us

    def publish(self) -> None:
        try:
            self.redis.publish(CHANNEL, self.me)
        except redis.RedisError as exc:  # the other processes' next tick still delivers
            log.warning("could not wake the other processes: %s", exc)

    def listen(self) -> None:
        """Forever: wake this process's follower when another process says so."""
        while True:
            try:
                pubsub = self.listener.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                for message in pubsub.listen():
                    if message["data"] != self.me:
                        self.on_wake()
            except redis.RedisError as exc:
                log.warning("lost the wake-up channel (%s); retrying in 1 s", exc)
                time.sleep(1)
