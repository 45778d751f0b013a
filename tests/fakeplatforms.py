"""One local HTTP server speaking the parts of the Mastodon, Bluesky (XRPC) and X API v2 that
Piazza reads, answering with documented shapes and headers, for end-to-end tests.

Tests add posts while Piazza runs (`add_status`, `add_bluesky`, `add_tweet`) and delete them
(`delete`), then watch what reaches Piazza's walls and consoles.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from itertools import count
from typing import Any
from urllib.parse import urlencode

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

BEARER = "x-bearer-for-tests"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class FakePlatforms:
    """A WSGI app plus its server thread. `base` is where every API begins."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids = count(1)
        self.statuses: list[dict[str, Any]] = []  # Mastodon, oldest first
        self.bsky: list[dict[str, Any]] = []  # Bluesky postViews, oldest first
        self.tweets: list[dict[str, Any]] = []  # X tweets, oldest first
        self.users: dict[str, dict[str, Any]] = {}
        self.requests: list[str] = []
        self.sessions_created = 0
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakePlatforms:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- content -----------------------------------------------------------------------------
    def add_status(self, text: str, tags: list[str], user: str = "ufficiostampa") -> dict:
        """A public Mastodon status on this instance."""
        with self.lock:
            sid = str(_snowflake(16, next(self.ids)))  # Mastodon: milliseconds << 16
            tag_html = " ".join(
                f'<a href="{self.base}/tags/{t}" class="mention hashtag" rel="tag">#<span>{t}'
                "</span></a>" for t in tags)
            status = {
                "id": sid, "created_at": _now(), "in_reply_to_id": None,
                "in_reply_to_account_id": None, "sensitive": False, "spoiler_text": "",
                "visibility": "public", "language": "it",
                "uri": f"{self.base}/users/{user}/statuses/{sid}",
                "url": f"{self.base}/@{user}/{sid}", "replies_count": 0, "reblogs_count": 0,
                "favourites_count": 0, "quotes_count": 0, "edited_at": None,
                "content": f"<p>{text} {tag_html}</p>", "reblog": None, "application": None,
                "account": self._account(user), "media_attachments": [], "mentions": [],
                "tags": [{"name": t, "url": f"{self.base}/tags/{t}"} for t in tags],
                "emojis": [], "card": None, "poll": None, "quote": None,
            }
            self.statuses.append(status)
            return status

    def _account(self, user: str) -> dict:
        return self.users.setdefault(user, {
            "id": str(1000 + len(self.users)), "username": user, "acct": user,
            "display_name": user.title(), "locked": False, "bot": False,
            "url": f"{self.base}/@{user}", "uri": f"{self.base}/users/{user}",
            "avatar": f"{self.base}/avatars/{user}.png",
            "avatar_static": f"{self.base}/avatars/{user}.png", "note": "",
            "followers_count": 1, "following_count": 1, "statuses_count": 1, "emojis": [],
            "fields": []})

    def add_bluesky(self, text: str, tag: str, handle: str = "ente.bsky.social") -> dict:
        """A Bluesky post with one hashtag facet (UTF-8 byte offsets)."""
        with self.lock:
            n = next(self.ids)
            did = "did:plc:" + f"fake{abs(hash(handle)) % 10**20:020d}"
            full = f"{text} #{tag}"
            start = len(full[: full.rindex("#")].encode())
            view = {
                "uri": f"at://{did}/app.bsky.feed.post/3lfake{n:07d}", "cid": f"bafyfake{n}",
                "author": {"did": did, "handle": handle, "displayName": handle.split(".")[0],
                           "avatar": f"{self.base}/img/{handle}.jpg", "labels": []},
                "record": {"$type": "app.bsky.feed.post", "text": full, "createdAt": _now(),
                           "langs": ["it"], "facets": [{
                               "index": {"byteStart": start, "byteEnd": len(full.encode())},
                               "features": [{"$type": "app.bsky.richtext.facet#tag",
                                             "tag": tag}]}]},
                "replyCount": 0, "repostCount": 0, "likeCount": 0, "quoteCount": 0,
                "indexedAt": _now(), "labels": [],
            }
            self.bsky.append(view)
            return view

    def add_tweet(self, text: str, tag: str, username: str = "comune_valdoria") -> dict:
        """An X post with one hashtag entity (code-point offsets into the escaped text)."""
        with self.lock:
            tid = str(_snowflake(22, next(self.ids), epoch=1288834974657))  # X's snowflake
            body = f"{text} #{tag}"
            start = len(body) - len(tag) - 1
            user_id = str(5000 + sum(map(ord, username)))
            tweet = {
                "id": tid, "text": body, "author_id": user_id, "created_at": _now(),
                "lang": "it", "conversation_id": tid, "edit_history_tweet_ids": [tid],
                "possibly_sensitive": False,
                "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0,
                                   "quote_count": 0, "bookmark_count": 0,
                                   "impression_count": 0},
                "entities": {"hashtags": [{"start": start, "end": len(body), "tag": tag}]},
                "_user": {"id": user_id, "name": username.replace("_", " ").title(),
                          "username": username,
                          "profile_image_url": f"{self.base}/x/{username}.jpg"},
            }
            self.tweets.append(tweet)
            return tweet

    def delete(self, platform: str, remote: str) -> None:
        """Delete a post at the source (by Mastodon id, Bluesky uri or tweet id)."""
        with self.lock:
            if platform == "mastodon":
                self.statuses = [s for s in self.statuses if s["id"] != remote]
            elif platform == "bluesky":
                self.bsky = [p for p in self.bsky if p["uri"] != remote]
            else:
                self.tweets = [t for t in self.tweets if t["id"] != remote]

    # -- the HTTP side -----------------------------------------------------------------------
    def wsgi(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        self.requests.append(f"{request.method} {request.full_path}")
        with self.lock:
            response = self.route(request)
        return response(environ, start_response)

    def route(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/api/v"):
            return self.mastodon(request, path)
        if path.startswith("/xrpc/"):
            return self.bluesky(request, path[len("/xrpc/"):])
        if path.startswith("/2/"):
            return self.x(request, path)
        return _json({"error": "Not Found"}, 404)

    # Mastodon -------------------------------------------------------------------------------
    def mastodon(self, request: Request, path: str) -> Response:
        args = request.args
        headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299",
                   "X-RateLimit-Reset": "2030-01-01T00:00:00.000Z"}
        if match := re.fullmatch(r"/api/v1/timelines/tag/([^/]+)", path):
            tags = {match.group(1).lower(), *(t.lower() for t in args.getlist("any[]"))}
            chosen = [s for s in self.statuses
                      if tags & {t["name"].lower() for t in s["tags"]}]
            return self._page(chosen, request, headers)
        if path == "/api/v1/accounts/lookup":
            acct = (args.get("acct") or "").lstrip("@").split("@")[0]
            if acct in self.users:
                return _json(self.users[acct], headers=headers)
            return _json({"error": "Record not found"}, 404, headers)
        if match := re.fullmatch(r"/api/v1/accounts/(\d+)/statuses", path):
            chosen = [s for s in self.statuses if s["account"]["id"] == match.group(1)]
            return self._page(chosen, request, headers)
        if match := re.fullmatch(r"/api/v1/statuses/(\d+)", path):
            found = [s for s in self.statuses if s["id"] == match.group(1)]
            if found:
                return _json(found[0], headers=headers)
            return _json({"error": "Record not found"}, 404, headers)
        if path in ("/api/v2/instance", "/api/v2/instance/"):
            return _json({"domain": "127.0.0.1", "title": "Fake", "version": "4.5.0",
                          "configuration": {"timelines_access": {
                              "live_feeds": {"local": "public", "remote": "public"},
                              "hashtag_feeds": {"local": "public", "remote": "public"},
                              "trending_link_feeds": {"local": "public",
                                                      "remote": "public"}}}},
                         headers=headers)
        return _json({"error": "This API is not enabled on this instance"}, 404, headers)

    def _page(self, chosen: list[dict], request: Request, headers: dict) -> Response:
        """Mastodon pagination: newest first; min_id gives the ones just after it."""
        args = request.args
        limit = min(int(args.get("limit", 20)), 40)
        key = lambda s: int(s["id"])  # noqa: E731
        if args.get("max_id"):
            chosen = [s for s in chosen if key(s) < int(args["max_id"])]
        if args.get("since_id"):
            chosen = [s for s in chosen if key(s) > int(args["since_id"])]
        if args.get("min_id"):
            chosen = [s for s in chosen if key(s) > int(args["min_id"])][:limit]
        else:
            chosen = chosen[-limit:]
        page = sorted(chosen, key=key, reverse=True)
        if page:
            base = f"{self.base}{request.path}"
            query = [(k, v) for k, v in request.args.items(multi=True)
                     if k not in ("max_id", "min_id", "since_id")]
            headers = {**headers, "Link": (
                f'<{base}?{urlencode([*query, ("max_id", page[-1]["id"])])}>; rel="next", '
                f'<{base}?{urlencode([*query, ("min_id", page[0]["id"])])}>; rel="prev"')}
        return _json(page, headers=headers)

    # Bluesky --------------------------------------------------------------------------------
    def bluesky(self, request: Request, method: str) -> Response:
        headers = {"ratelimit-limit": "3000", "ratelimit-remaining": "2999",
                   "ratelimit-reset": "1893456000", "ratelimit-policy": "3000;w=300"}
        if method == "com.atproto.server.createSession":
            data = request.get_json(silent=True) or {}
            if data.get("password") != APP_PASSWORD:
                return _json({"error": "AuthenticationRequired",
                              "message": "Invalid identifier or password"}, 401, headers)
            self.sessions_created += 1
            return _json({"did": "did:plc:piazzafake", "handle": data.get("identifier"),
                          "accessJwt": "access-jwt", "refreshJwt": "refresh-jwt",
                          "active": True}, headers=headers)
        if method == "com.atproto.server.refreshSession":
            return _json({"did": "did:plc:piazzafake", "handle": "piazza.bsky.social",
                          "accessJwt": "access-jwt", "refreshJwt": "refresh-jwt"},
                         headers=headers)
        if request.headers.get("Authorization") != "Bearer access-jwt":
            return _json({"error": "AuthenticationRequired", "message": "Authentication "
                          "Required"}, 401, headers)
        args = request.args
        if method == "app.bsky.feed.searchPosts":
            tags = {t.lower() for t in args.getlist("tag")}
            query = (args.get("q") or "").lower()
            found = [p for p in self.bsky if (tags and tags <= {
                f["features"][0]["tag"].lower() for f in p["record"]["facets"]})
                or (query and query in p["record"]["text"].lower())]
            return self._xrpc_page(found, "posts", args, headers, lambda p: p)
        if method == "app.bsky.feed.getAuthorFeed":
            actor = args.get("actor", "").lstrip("@")
            found = [p for p in self.bsky if p["author"]["handle"] == actor]
            return self._xrpc_page(found, "feed", args, headers, lambda p: {"post": p})
        if method == "app.bsky.feed.getPosts":
            uris = args.getlist("uris")
            return _json({"posts": [p for p in self.bsky if p["uri"] in uris]},
                         headers=headers)
        return _json({"error": "MethodNotImplemented", "message": method}, 501, headers)

    def _xrpc_page(self, found, key, args, headers, wrap) -> Response:
        newest_first = list(reversed(found))
        start = int(args.get("cursor") or 0)
        limit = min(int(args.get("limit", 25)), 100)
        page = newest_first[start:start + limit]
        body = {key: [wrap(p) for p in page]}
        if start + limit < len(newest_first):
            body["cursor"] = str(start + limit)
        return _json(body, headers=headers)

    # X ----------------------------------------------------------------------------------------
    def x(self, request: Request, path: str) -> Response:
        reset = str(int(datetime.now(UTC).timestamp()) + 900)
        headers = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449",
                   "x-rate-limit-reset": reset}
        if request.headers.get("Authorization") != f"Bearer {BEARER}":
            return _json({"title": "Unauthorized", "type": "about:blank", "status": 401,
                          "detail": "Unauthorized"}, 401, headers)
        args = request.args
        if path == "/2/tweets/search/recent":
            query = args.get("query", "").lower()
            tags = set(re.findall(r"#(\w+)", query))
            authors = set(re.findall(r"from:(\w+)", query))
            found = [t for t in self.tweets
                     if tags & {h["tag"].lower() for h in t["entities"]["hashtags"]}
                     or t["_user"]["username"].lower() in authors]
            if args.get("since_id"):
                found = [t for t in found if int(t["id"]) > int(args["since_id"])]
            newest_first = list(reversed(found))
            start = int(args.get("next_token") or 0)
            limit = min(int(args.get("max_results", 10)), 100)
            page = newest_first[start:start + limit]
            meta: dict[str, Any] = {"result_count": len(page)}
            if page:
                meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
            if start + limit < len(newest_first):
                meta["next_token"] = str(start + limit)
            return _json(self._tweets(page, meta), headers=headers)
        if path == "/2/tweets":
            ids = (args.get("ids") or "").split(",")
            found = [t for t in self.tweets if t["id"] in ids]
            missing = [i for i in ids if i not in {t["id"] for t in found}]
            body = self._tweets(found, None)
            if missing:
                body["errors"] = [{"value": i, "detail": f"Could not find tweet with ids: [{i}].",
                                   "title": "Not Found Error", "resource_type": "tweet",
                                   "parameter": "ids", "resource_id": i,
                                   "type": "https://api.twitter.com/2/problems/resource-not-found"}
                                  for i in missing]
            return _json(body, headers=headers)
        return _json({"title": "Not Found Error", "status": 404}, 404, headers)

    @staticmethod
    def _tweets(page: list[dict], meta: dict | None) -> dict:
        body: dict[str, Any] = {}
        if page:
            body["data"] = [{k: v for k, v in t.items() if k != "_user"} for t in page]
            users = {t["_user"]["id"]: t["_user"] for t in page}
            body["includes"] = {"users": list(users.values())}
        if meta is not None:
            body["meta"] = meta
        return body


def _snowflake(shift: int, sequence: int, epoch: int = 0) -> int:
    """An id that encodes the current time, as Mastodon and X make them."""
    millis = int(datetime.now(UTC).timestamp() * 1000) - epoch
    return (millis << shift) | (sequence % (1 << min(shift, 12)))


def _json(data: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(data), status=status, headers=headers or {},
                    content_type="application/json; charset=utf-8")
