"""Socket.IO: `/wall` (public, approved content only) and `/console` (editors), a room per event.

The change log is the source of truth. `Live.pump` reads the rows after the last one it sent
and turns them into messages, whoever wrote them (console, CLI, collector, another process).
A client connects with `auth={"event": SLUG, "last_seq": N}` and first receives what changed
after N (or a snapshot), then every change, each message carrying `seq` at its top level.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterable
from typing import Any

from flask import current_app, request, session
from flask_babel import gettext as _
from flask_socketio import SocketIO, emit, join_room

from .curation import ACTIONS, ActionError, apply_wall_control, is_public
from .store import DecisionError, NotFound, Store

log = logging.getLogger(__name__)

WALL, CONSOLE = "/wall", "/console"
MAX_REPLAY = 2000  # beyond this many missed changes a snapshot is cheaper than a replay
# A burst (a bulk approval, a trending hashtag) travels as one frame per client at most this
# often: the cost of fan-out is per frame and per client, not per post (docs/SCALING.md).
COALESCE_SECONDS = 0.05
# A wall shows at most 60 posts (static/js/wall.js); the rest stand by for removals.
WALL_SNAPSHOT_SIZE = 100
# Change kinds that can alter what a wall shows (notes and arrivals in the queue cannot).
_WALL_KINDS = {"post_approved", "post_rejected", "post_pending", "post_featured",
               "post_unfeatured", "post_pinned", "post_unpinned", "post_deleted", "post_session",
               "post_edited"}
_APPROVING = {"post_approved", "post_featured", "post_pinned"}
_PUBLIC_FIELDS = ("id", "platform", "remote_id", "url", "author", "created_at", "text", "html",
                  "media", "reply_to", "repost_of", "reposted_by", "quote_of", "language",
                  "metrics", "hashtags", "sensitive", "spoiler", "featured", "pinned",
                  "session_id")


def wall_room(event_id: int) -> str:
    return f"wall:{event_id}"


def console_room(event_id: int) -> str:
    return f"console:{event_id}"


def watchers_room(event_id: int) -> str:
    """Pages that only need to know that the event changed (the figures): one small `changed`
    frame per batch, never the posts."""
    return f"watch:{event_id}"


def public_post(post: dict[str, Any]) -> dict[str, Any]:
    """What a wall may know of an approved post: content, never moderation internals."""
    return {key: post.get(key) for key in _PUBLIC_FIELDS}


def _net_changes(changes: Iterable[dict[str, Any]]) -> list[tuple[int, list[dict[str, Any]]]]:
    """Changes grouped per post, ordered by each post's last seq."""
    by_post: dict[int, list[dict[str, Any]]] = {}
    for change in changes:
        if change["post_id"] is not None:
            by_post.setdefault(change["post_id"], []).append(change)
    return sorted(by_post.items(), key=lambda item: item[1][-1]["seq"])


# Changes that carry a whole state, by kind, and the key their data travels under: only the last
# of each kind in a batch matters.
_WHOLE_STATES = {"wall_state": "wall", "programme": "sessions"}


def _whole_state_messages(changes: Iterable[dict[str, Any]],
                          with_by: bool) -> list[tuple[str, dict[str, Any]]]:
    """The wall's state and the programme, the last of each in a batch."""
    last = {c["kind"]: c for c in changes if c["kind"] in _WHOLE_STATES}
    messages = []
    for kind, change in last.items():
        payload = {"seq": change["seq"], _WHOLE_STATES[kind]: change["data"]}
        if with_by:
            payload["by"] = change["actor"]
        messages.append((kind, payload))
    return messages


def _in_order(messages: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    return sorted(messages, key=lambda m: m[1]["seq"])


def wall_messages(changes: Iterable[dict[str, Any]],
                  posts: dict[int, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Messages for walls: each touched post once, in its current state, by its last seq.

    Reading the current state (not the state at each change) means a post approved then
    rejected in the same batch never travels to a wall at all.
    """
    changes = list(changes)
    messages = _whole_state_messages(changes, with_by=False)
    for post_id, group in _net_changes(changes):
        kinds = {c["kind"] for c in group}
        seq = group[-1]["seq"]
        post = posts.get(post_id)
        if post is not None and is_public(post):
            if not kinds & (_WALL_KINDS | {"post_added"}):
                continue
            name = "post_approved" if kinds & (_APPROVING | {"post_added"}) else "post_updated"
            messages.append((name, {"seq": seq, "post": public_post(post)}))
        elif kinds & _WALL_KINDS:
            messages.append(("post_removed", {"seq": seq, "post": {"id": post_id}}))
    return _in_order(messages)


def console_messages(changes: Iterable[dict[str, Any]],
                     posts: dict[int, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Messages for consoles: each touched post once, named for its last change, with who."""
    changes = list(changes)
    messages = _whole_state_messages(changes, with_by=True)
    for post_id, group in _net_changes(changes):
        post = posts.get(post_id)
        last = group[-1]
        if post is None:  # erased (a person's right to erasure): it leaves every console
            messages.append(("post_erased", {"seq": last["seq"], "post": {"id": post_id},
                                             "by": last["actor"]}))
            continue
        messages.append((last["kind"], {"seq": last["seq"], "post": post, "by": last["actor"]}))
    return _in_order(messages)


class Live:
    """Follows the change log and fans it out to the rooms of this process."""

    def __init__(self, store: Store, socketio: SocketIO, follow_seconds: float = 0.2,
                 redis_url: str = "") -> None:
        self.store = store
        self.socketio = socketio
        self.follow_seconds = follow_seconds
        self.wake = threading.Event()
        self.wakeups = None
        if redis_url:
            from .wakeups import Wakeups

            self.wakeups = Wakeups(redis_url, self.wake.set)
        self.last_seq = store.head_seq()  # clients that connect later get snapshots
        self.lock = threading.RLock()  # orders snapshots against the pump's emissions
        self.presence: dict[int, dict[str, str]] = {}  # event id -> sid -> editor name
        self._wall_snapshots: dict[int, dict[str, Any]] = {}  # event id -> the latest
        self._started = False

    def pump(self) -> int:
        """Send every change after the last one sent; returns how many rows were read."""
        with self.lock:
            changes = self.store.changes_after(self.last_seq, limit=1000)
            if not changes:
                return 0
            by_event: dict[int, list[dict[str, Any]]] = {}
            for change in changes:
                by_event.setdefault(change["event_id"], []).append(change)
            for event_id, group in by_event.items():
                posts = self.store.posts_by_id(event_id, {c["post_id"] for c in group
                                                          if c["post_id"] is not None})
                self._send(wall_messages(group, posts), WALL, wall_room(event_id))
                self._send(console_messages(group, posts), CONSOLE, console_room(event_id))
                self._send([("changed", {"seq": group[-1]["seq"]})], CONSOLE,
                           watchers_room(event_id))
            self.last_seq = changes[-1]["seq"]
            return len(changes)

    def _send(self, messages: list[tuple[str, dict[str, Any]]], namespace: str,
              room: str) -> None:
        """One frame to this process's clients in the room: the message itself, or a `batch`
        of them in order. Every process reads the change log itself, so nothing goes through
        the message queue (which would deliver it once per process)."""
        if len(messages) == 1:
            name, payload = messages[0]
        elif messages:
            name, payload = "batch", {"seq": messages[-1][1]["seq"],
                                      "messages": [list(m) for m in messages]}
        else:
            return
        self.socketio.emit(name, payload, namespace=namespace, to=room, ignore_queue=True)

    def nudge(self) -> None:
        """Ask the followers of this process and of the others to pump now rather than at
        their next tick."""
        self.wake.set()
        if self.wakeups is not None:
            self.wakeups.publish()

    def follow(self) -> None:
        """The follower loop: pump whenever nudged, and at least every `follow_seconds`; in a
        burst, no more often than every `COALESCE_SECONDS`, so changes travel together."""
        last_sent = 0.0
        while True:
            self.wake.wait(self.follow_seconds)
            self.wake.clear()
            wait = COALESCE_SECONDS - (time.monotonic() - last_sent)
            if wait > 0:  # sent a moment ago: a burst, let the rest of it join the next frame
                self.socketio.sleep(wait)
            try:
                read = self.pump()
                if read:
                    last_sent = time.monotonic()
                while read >= 1000:
                    read = self.pump()
            except Exception:  # the loop must outlive a bad row or a locked database
                log.exception("live follower failed; retrying")
                self.socketio.sleep(1)

    def start(self) -> None:
        """Start the follower (and the wake-up listener) once per process."""
        if not self._started:
            self._started = True
            self.socketio.start_background_task(self.follow)
            if self.wakeups is not None:
                self.socketio.start_background_task(self.wakeups.listen)

    # -- what a connecting client receives ---------------------------------------------------
    def catch_up(self, event_id: int, last_seq: int, audience: str) -> list[tuple[str, dict]]:
        """Messages that bring a client from `last_seq` to now: a replay, or a snapshot."""
        if last_seq > 0:
            changes = self.store.changes_after(last_seq, event_id=event_id, limit=MAX_REPLAY + 1)
            if len(changes) <= MAX_REPLAY:
                posts = self.store.posts_by_id(event_id, {c["post_id"] for c in changes
                                                          if c["post_id"] is not None})
                build = wall_messages if audience == WALL else console_messages
                head = changes[-1]["seq"] if changes else last_seq
                return [*build(changes, posts), ("synced", {"seq": head})]
        head = self.store.head_seq()
        if audience == WALL:
            return [("snapshot", self.wall_snapshot(event_id, head)), ("synced", {"seq": head})]
        queue = self.store.posts_of_event(event_id, state="pending", limit=500,
                                          include_deleted=False, oldest_first=True)
        decided = (self.store.posts_of_event(event_id, state="approved", limit=150)
                   + self.store.posts_of_event(event_id, state="rejected", limit=100))
        return [("snapshot", {"seq": head, "posts": queue + decided,
                              "counts": self.store.counts(event_id),
                              "wall": self.store.wall_state(event_id)}),
                ("synced", {"seq": head})]

    def wall_snapshot(self, event_id: int, head: int) -> dict[str, Any]:
        """The newest approved posts and every featured or pinned one, with the wall's state;
        kept until the change log moves, so a thousand walls reconnecting at once after a
        restart cost one read."""
        cached = self._wall_snapshots.get(event_id)
        if cached is not None and cached["seq"] == head:
            return cached
        newest = self.store.posts_of_event(event_id, state="approved", limit=WALL_SNAPSHOT_SIZE,
                                           include_deleted=False)
        ids = {p["id"] for p in newest}
        older = [p for p in self.store.highlighted_posts(event_id) if p["id"] not in ids]
        snapshot = {"seq": head, "posts": [public_post(p) for p in newest + older],
                    "wall": self.store.wall_state(event_id)}
        self._wall_snapshots[event_id] = snapshot
        return snapshot

    def presence_of(self, event_id: int) -> list[str]:
        return sorted(set(self.presence.get(event_id, {}).values()), key=str.lower)


def _live() -> Live:
    return current_app.extensions["piazza_live"]


def _connect_event(auth: Any) -> tuple[dict[str, Any], int]:
    """The event and last seq a client asked for; refuses the connection otherwise."""
    auth = auth if isinstance(auth, dict) else {}
    slug = auth.get("event")
    if not isinstance(slug, str):
        raise ConnectionRefusedError("auth.event (the event slug) is required")
    try:
        event = _live().store.get_event(slug)
    except NotFound:
        raise ConnectionRefusedError(f"unknown event {slug!r}") from None
    try:
        last_seq = max(int(auth.get("last_seq") or 0), 0)
    except (TypeError, ValueError):
        last_seq = 0
    return event, last_seq


def _join_and_catch_up(event_id: int, last_seq: int, room: str, audience: str) -> None:
    live = _live()
    with live.lock:  # nothing the pump sends can overtake the catch-up
        join_room(room)
        for name, payload in live.catch_up(event_id, last_seq, audience):
            emit(name, payload, ignore_queue=True)  # this client is ours: no queue, in order


def _editor() -> dict[str, Any] | None:
    """The logged-in user of this socket's session, re-read so a removed user loses access."""
    user_id = session.get("user_id")
    user = _live().store.user_by_id(user_id) if user_id else None
    return user if user and user["role"] in ("admin", "editor") else None


def register_handlers(socketio: SocketIO) -> None:
    """Attach the namespaces' handlers (once per SocketIO object)."""

    @socketio.on("connect", namespace=WALL)
    def wall_connect(auth: Any = None) -> None:
        event, last_seq = _connect_event(auth)
        _join_and_catch_up(event["id"], last_seq, wall_room(event["id"]), WALL)

    @socketio.on("connect", namespace=CONSOLE)
    def console_connect(auth: Any = None) -> None:
        user = _editor()
        if user is None:
            raise ConnectionRefusedError(_("login required"))  # shown in the console's status
        event, last_seq = _connect_event(auth)
        if isinstance(auth, dict) and auth.get("watch") is True:
            # The figures page: told that something changed, nothing more; its reader is not
            # an editor at work in the queue, and it refetches its panel after a reconnect.
            join_room(watchers_room(event["id"]))
            return
        live = _live()
        live.presence.setdefault(event["id"], {})[request.sid] = user["name"]
        session["piazza_event"] = event["slug"]
        _join_and_catch_up(event["id"], last_seq, console_room(event["id"]), CONSOLE)
        socketio.emit("presence", {"editors": live.presence_of(event["id"])},
                      namespace=CONSOLE, to=console_room(event["id"]))

    @socketio.on("disconnect", namespace=CONSOLE)
    def console_disconnect(*_args: Any) -> None:
        live = _live()
        for event_id, sids in live.presence.items():
            if sids.pop(request.sid, None) is not None:
                socketio.emit("presence", {"editors": live.presence_of(event_id)},
                              namespace=CONSOLE, to=console_room(event_id))

    @socketio.on("decide", namespace=CONSOLE)
    def console_decide(data: Any) -> dict[str, Any]:
        user = _editor()
        if user is None:
            return _session_expired()
        if not isinstance(data, dict):
            return _refused(_("Invalid request."))
        action = data.get("action")
        if action not in ACTIONS:
            return _refused(_("Unknown action: %(action)r.", action=action))
        try:
            ids = data["post_ids"] if "post_ids" in data else [data.get("post_id")]
            if not isinstance(ids, list) or not 1 <= len(ids) <= 500:
                raise ValueError
            post_ids = [int(i) for i in ids]
            session_id = data.get("session_id")
            session_id = int(session_id) if session_id not in (None, "") else None
        except (KeyError, TypeError, ValueError):
            return _refused(_("Invalid post id."))
        reason = data.get("reason") or ""
        note = data.get("note")
        if not isinstance(reason, str) or (note is not None and not isinstance(note, str)):
            return _refused(_("Invalid request."))
        live = _live()
        try:
            results = live.store.decide_many(session["piazza_event"], post_ids, action,
                                             user["name"], reason=reason, note=note,
                                             session_id=session_id)
        except (ActionError, DecisionError, NotFound) as exc:
            return {"ok": False, "error": str(exc), "changed": 0}  # nothing was applied
        changed = sum(r.changed for r in results)
        seq = max(r.seq for r in results)
        live.nudge()  # acknowledge first; the follower broadcasts right after
        if "post_ids" in data:
            return {"ok": True, "seq": seq, "changed": changed}
        return {"ok": True, "seq": seq, "changed": bool(changed)}

    @socketio.on("undo", namespace=CONSOLE)
    def console_undo(_data: Any = None) -> dict[str, Any]:
        user = _editor()
        if user is None:
            return _session_expired()
        live = _live()
        try:
            result = live.store.undo(session["piazza_event"], user["name"])
        except DecisionError as exc:
            return {"ok": False, "error": str(exc)}
        live.nudge()
        return {"ok": True, "seq": result.seq, "post_id": result.post_id,
                "action": result.action}

    @socketio.on("open_post", namespace=CONSOLE)
    def console_open_post(data: Any) -> dict[str, Any]:
        user = _editor()
        if user is None:
            return _session_expired()
        post_id = data.get("post_id") if isinstance(data, dict) else None
        if post_id is not None and not isinstance(post_id, int):
            return _refused(_("Invalid post id."))
        event = _live().store.get_event(session["piazza_event"])
        # Ephemeral: who is looking at what is not history, so it skips the change log.
        emit("post_opened", {"post_id": post_id, "editor": user["name"]},
             to=console_room(event["id"]), include_self=False)
        return {"ok": True}

    def _change_wall(change) -> dict[str, Any]:
        user = _editor()
        if user is None:
            return _session_expired()
        live = _live()
        try:
            seq, state = live.store.change_wall(session["piazza_event"], user["name"], change)
        except ActionError as exc:
            return {"ok": False, "error": str(exc)}
        live.nudge()
        return {"ok": True, "seq": seq, "wall": state}

    @socketio.on("wall_control", namespace=CONSOLE)
    def console_wall_control(data: Any) -> dict[str, Any]:
        return _change_wall(lambda state: apply_wall_control(state, data))

    @socketio.on("announce", namespace=CONSOLE)
    def console_announce(data: Any) -> dict[str, Any]:
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str) or not text.strip():
            return _refused(_("Write the announcement's text."))
        new_id = f"a{secrets.token_hex(4)}"

        def add(state: dict[str, Any]) -> dict[str, Any]:
            items = [*state["announcements"], {"id": new_id, "text": text.strip()[:280]}]
            return {**state, "announcements": items[-10:]}
        reply = _change_wall(add)
        return {**reply, "id": new_id} if reply["ok"] else reply

    @socketio.on("unannounce", namespace=CONSOLE)
    def console_unannounce(data: Any) -> dict[str, Any]:
        gone = data.get("id") if isinstance(data, dict) else None
        return _change_wall(lambda state: {**state, "announcements": [
            a for a in state["announcements"] if a["id"] != gone]})


def _refused(error: str) -> dict[str, Any]:
    """The acknowledgement of a request that changed nothing, saying why."""
    return {"ok": False, "error": error}


def _session_expired() -> dict[str, Any]:
    return _refused(_("Your session has expired: log in again."))
