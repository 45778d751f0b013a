"""The XSS corpus placed in every field of every platform's native payload (tests/test_xss.py).

Each builder writes payloads in the documented shapes of tests/fixtures/{mastodon,bluesky,x,rss}
and takes its values from a `Placer`, which deals the corpus out field by field and keeps count:
`text(field)` gives the next payload of `payloads()` to a field the normalizer reads and a page
shows; `extra(field)` fills a field of the native shape that Piazza does not show (or shows only
in part, e.g. hashtags in the recap's top five) with a payload too, uncounted; `url(field, good)`
gives two occurrences in three of a URL field the next value of `url_payloads()`, the third a
well-formed address (so that the media, and with them their alt texts, survive normalization).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from html import escape as html_escape
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from coverage.model import NormalizeError, Post
from coverage.sources import bluesky, mastodon, rss, x

from .xss_corpus import payloads, url_payloads

GOOD_IMAGE = "https://media.example/ok.png"  # the tests answer with a picture on this host
DAY = "2026-11-19"


class Placer:
    """Deals payloads to the fields of one platform's posts, and remembers where each went."""

    def __init__(self, platform: str, texts: list[str], urls: list[str]) -> None:
        self.platform = platform
        self.texts, self.urls = texts, urls
        self.taken = 0  # counted text placements so far
        self.extras = 0
        self.url_seen: dict[str, int] = defaultdict(int)  # occurrences of each URL field
        self.text_fields: dict[int, set[str]] = defaultdict(set)  # payload index -> fields
        self.url_fields: dict[str, set[int]] = defaultdict(set)  # URL field -> payload indexes
        self.text_placements = 0
        self.url_placements = 0
        self.pending: list[tuple[int, str]] = []  # this post's counted placements

    def text(self, field: str) -> str:
        index = self.taken % len(self.texts)
        self.taken += 1
        self.pending.append((index, field))
        return self.texts[index]

    def extra(self, field: str) -> str:
        self.extras += 1
        return self.texts[(len(self.texts) - self.extras * 7) % len(self.texts)]

    def url(self, field: str, good: str) -> str:
        seen = self.url_seen[field]
        self.url_seen[field] += 1
        if seen % 3 == 2:
            return good
        index = (seen - seen // 3) % len(self.urls)
        self.url_fields[field].add(index)
        self.url_placements += 1
        return self.urls[index]

    def commit(self) -> list[tuple[int, str]]:
        """The counted placements of the post just built (call once the post is kept)."""
        done, self.pending = self.pending, []
        for index, field in done:
            self.text_fields[index].add(field)
        self.text_placements += len(done)
        return done

    def complete(self) -> bool:
        """Every payload placed at least once, every URL payload in every URL field."""
        return self.taken >= len(self.texts) and all(
            len(found) == len(self.urls) for found in self.url_fields.values())


def _time(n: int) -> str:
    return f"{DAY}T{8 + (n // 60) % 9:02d}:{n % 60:02d}:{n % 7:02d}.000Z"


# -- Mastodon: Status entities (tests/fixtures/mastodon/status.json, quote.json, boost.json) ---

def _mastodon_account(p: Placer, n: int, who: str, name_field: str, *, counted: bool = True
                      ) -> dict[str, Any]:
    use_username = counted and n % 4 == 3  # an empty display_name shows the username
    take = p.text if counted else p.extra
    return {
        "id": f"{n}{len(who)}", "username": take(f"{name_field}.username") if use_username
        else p.extra(f"{name_field}.username"),
        "acct": take(f"{name_field}.acct"),
        "display_name": "" if use_username else take(f"{name_field}.display_name"),
        "url": p.url(f"{name_field}.url", f"https://mastodon.example/@{who}{n}"),
        "uri": f"https://mastodon.example/users/{who}{n}",
        "avatar": p.url(f"{name_field}.avatar", GOOD_IMAGE),
        "avatar_static": p.url(f"{name_field}.avatar_static", GOOD_IMAGE),
        "note": p.extra(f"{name_field}.note"), "locked": False, "bot": False, "emojis": [],
        "fields": [{"name": p.extra("account.fields.name"),
                    "value": p.extra("account.fields.value"), "verified_at": None}],
    }


def _http(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def _mastodon_attachment(p: Placer, n: int, k: int) -> dict[str, Any]:
    url = p.url("media_attachments.url", GOOD_IMAGE)
    # The first three always keep a usable remote_url, so their descriptions show.
    remote = GOOD_IMAGE if k < 3 else p.url("media_attachments.remote_url", GOOD_IMAGE)
    kept = _http(url) or _http(remote)
    return {
        "id": f"{n}{k}", "type": ("image", "video", "gifv", "audio")[k], "url": url,
        "preview_url": p.url("media_attachments.preview_url", GOOD_IMAGE), "remote_url": remote,
        "text_url": None, "meta": {"original": {"width": 1600, "height": 900}},
        "description": p.text("media_attachments.description") if kept
        else p.extra("media_attachments.description"),
        "blurhash": "UEHLh~WB2yk8pyoJadR*.7kCMdnj",
    }


def _mastodon_status(p: Placer, n: int, *, inner: bool = False) -> dict[str, Any]:
    status: dict[str, Any] = {
        "id": str(113600000000000000 + n * 10 + inner), "created_at": _time(n),
        "in_reply_to_id": str(113500000000000000 + n) if n % 2 else None,
        "in_reply_to_account_id": "110" if n % 2 else None,
        "sensitive": n % 6 == 1, "spoiler_text": p.text("spoiler_text"),
        "visibility": "public", "language": "it",
        "uri": f"https://mastodon.example/users/xss/statuses/{n}{'/inner' if inner else ''}",
        "url": p.url("url", f"https://mastodon.example/@xss/{113600000000000000 + n}"),
        "replies_count": n % 3, "reblogs_count": n % 5, "favourites_count": n % 11,
        "quotes_count": 0, "edited_at": None, "content": p.text("content"), "reblog": None,
        "account": _mastodon_account(p, n, "author", "account"),
        "media_attachments": [_mastodon_attachment(p, n, k) for k in range(4)],
        "mentions": [{"id": "110", "username": p.extra("mentions.username"),
                      "url": p.url("mentions.url", "https://social.example/@giulia"),
                      "acct": p.extra("mentions.acct")}],
        "tags": [{"name": p.extra("tags.name"),
                  "url": p.url("tags.url", "https://mastodon.example/tags/xss")}],
        "emojis": [{"shortcode": p.extra("emojis.shortcode"),
                    "url": p.url("emojis.url", GOOD_IMAGE),
                    "static_url": p.url("emojis.static_url", GOOD_IMAGE),
                    "visible_in_picker": True}],
        "card": {"url": p.url("card.url", "https://news.example/a"),
                 "title": p.extra("card.title"), "description": p.extra("card.description"),
                 "type": "link", "author_name": p.extra("card.author_name"),
                 "provider_name": p.extra("card.provider_name"), "html": p.extra("card.html"),
                 "image": p.url("card.image", GOOD_IMAGE), "embed_url": ""},
        "poll": {"id": str(n), "expired": False, "multiple": False, "votes_count": 0,
                 "options": [{"title": p.extra("poll.options.title"), "votes_count": 0}]},
        "quote": None,
    }
    if n % 3 == 1:
        quoted = {
            "id": str(113400000000000000 + n), "created_at": _time(n + 1), "sensitive": False,
            "spoiler_text": p.extra("quote.spoiler_text"), "visibility": "public",
            "language": "it", "uri": f"https://social.example/users/q/statuses/{n}",
            "url": p.url("quote.url", f"https://social.example/@q/{113400000000000000 + n}"),
            "content": p.text("quote.content"), "reblog": None,
            "account": _mastodon_account(p, n, "quoted", "quote.account", counted=False),
            "media_attachments": [], "mentions": [], "tags": [], "emojis": [], "card": None,
            "poll": None, "quote": None,
        }
        quoted["account"]["display_name"] = p.text("quote.account.display_name")
        status["quote"] = {"state": "accepted", "quoted_status": quoted}
    return status


def mastodon_payload(p: Placer, n: int) -> dict[str, Any]:
    """A Status; every third one a boost whose booster's name shows as "Condiviso da"."""
    if n % 3 != 2:
        return _mastodon_status(p, n)
    booster = _mastodon_account(p, n, "booster", "boost.account", counted=False)
    booster["display_name"] = p.text("boost.account.display_name")
    return {
        "id": str(113700000000000000 + n), "created_at": _time(n), "in_reply_to_id": None,
        "sensitive": False, "spoiler_text": "", "visibility": "public", "language": None,
        "uri": f"https://mastodon.example/users/booster/statuses/{n}/activity",
        "url": p.url("boost.url", f"https://mastodon.example/users/booster/statuses/{n}"),
        "content": "", "reblog": _mastodon_status(p, n, inner=True), "account": booster,
        "media_attachments": [], "mentions": [], "tags": [], "emojis": [], "card": None,
        "poll": None, "quote": None,
    }


# -- Bluesky: app.bsky.feed.defs#postView / #feedViewPost (tests/fixtures/bluesky/) -----------

def _bsky_profile(p: Placer, n: int, field: str, *, counted: bool) -> dict[str, Any]:
    take = p.text if counted else p.extra
    return {"did": f"did:plc:{field.replace('.', '')}{n}", "handle": take(f"{field}.handle"),
            "displayName": take(f"{field}.displayName"),
            "avatar": p.url(f"{field}.avatar", GOOD_IMAGE), "labels": [],
            "createdAt": "2024-01-01T00:00:00.000Z"}


def _utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def _bsky_record(p: Placer, n: int, text_field: str = "record.text", counted: bool = True
                 ) -> dict[str, Any]:
    main = p.text(text_field) if counted else p.extra(text_field)
    link, tag, mention = " example.it/programma", " #xss", " @amica.bsky.social"
    text = main + link + tag + mention
    start = _utf8(main)
    facets = [
        {"$type": "app.bsky.richtext.facet",
         "index": {"byteStart": start + 1, "byteEnd": start + _utf8(link)},
         "features": [{"$type": "app.bsky.richtext.facet#link",
                       "uri": p.url("facet.link.uri", "https://example.it/programma?x=1&y=2")}]},
        {"index": {"byteStart": start + _utf8(link) + 1, "byteEnd": start + _utf8(link + tag)},
         "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": p.extra("facet.tag")}]},
        {"index": {"byteStart": start + _utf8(link + tag) + 1, "byteEnd": _utf8(text)},
         "features": [{"$type": "app.bsky.richtext.facet#mention",
                       "did": p.extra("facet.mention.did")}]},
    ]
    return {"$type": "app.bsky.feed.post", "text": text, "facets": facets,
            "createdAt": _time(n), "langs": ["it"], "tags": [p.extra("record.tags")]}


def _bsky_images(p: Placer, n: int, count: int) -> dict[str, Any]:
    images = []
    for k in range(count):
        # Every other image has a fullsize address for sure (so its alt shows).
        fullsize = GOOD_IMAGE if k % 2 == 0 else p.url("images[].fullsize", GOOD_IMAGE)
        images.append({"thumb": p.url("images[].thumb", GOOD_IMAGE), "fullsize": fullsize,
                       "alt": p.text("images[].alt") if _http(fullsize)
                       else p.extra("images[].alt"),
                       "aspectRatio": {"width": 2000, "height": 1500}})
    return {"$type": "app.bsky.embed.images#view", "images": images}


def _bsky_quote(p: Placer, n: int) -> dict[str, Any]:
    author = _bsky_profile(p, n, "quote.author", counted=False)
    author["displayName"] = p.text("quote.author.displayName")
    return {"$type": "app.bsky.embed.record#view", "record": {
        "$type": "app.bsky.embed.record#viewRecord",
        "uri": f"at://did:plc:quoted{n}/app.bsky.feed.post/3lquoted{n:05d}", "cid": "bafyq",
        "author": author,
        "value": {"$type": "app.bsky.feed.post", "text": p.text("quote.value.text"),
                  "createdAt": _time(n + 1), "langs": ["it"]},
        "labels": [], "indexedAt": _time(n + 1), "embeds": []}}


def _bsky_post_view(p: Placer, n: int) -> dict[str, Any]:
    uri = f"at://did:plc:author{n}/app.bsky.feed.post/3lxss{n:06d}"
    record = _bsky_record(p, n)
    kind = n % 4
    if kind == 0:
        embed = _bsky_images(p, n, 4)
        record["embed"] = {"$type": "app.bsky.embed.images", "images": []}
    elif kind == 1:
        embed = {"$type": "app.bsky.embed.recordWithMedia#view", "record": _bsky_quote(p, n),
                 "media": _bsky_images(p, n, 3)}
        record["embed"] = {"$type": "app.bsky.embed.recordWithMedia"}
    elif kind == 2:
        embed = {"$type": "app.bsky.embed.external#view", "external": {
            "uri": p.url("external.uri", "https://news.example/articolo"),
            "title": p.extra("external.title"), "description": p.extra("external.description"),
            "thumb": p.url("external.thumb", GOOD_IMAGE)}}
        record["embed"] = {"$type": "app.bsky.embed.external"}
    else:
        embed = _bsky_quote(p, n)
        record["embed"] = {"$type": "app.bsky.embed.record"}
    if n % 4 == 3:
        parent_uri = f"at://did:plc:parent{n}/app.bsky.feed.post/3lparent{n:05d}"
        record["reply"] = {"root": {"uri": parent_uri, "cid": "bafyp"},
                           "parent": {"uri": parent_uri, "cid": "bafyp"}}
    return {
        "uri": uri, "cid": f"bafy{n}", "author": _bsky_profile(p, n, "author", counted=True),
        "record": record, "embed": embed, "replyCount": n % 3, "repostCount": n % 4,
        "likeCount": n % 9, "quoteCount": 0, "indexedAt": _time(n),
        "labels": [{"src": "did:plc:x", "uri": uri, "val": "graphic-media",
                    "cts": _time(n)}] if n % 6 == 1 else [],
    }


def bluesky_payload(p: Placer, n: int) -> dict[str, Any]:
    """A postView; replies and reposts come as feedViewPosts with the parent and reposter."""
    view = _bsky_post_view(p, n)
    if n % 4 != 3 and n % 5 != 4:
        return view
    item: dict[str, Any] = {"post": view}
    if n % 4 == 3:
        parent_uri = view["record"]["reply"]["parent"]["uri"]
        author = _bsky_profile(p, n, "reply.parent.author", counted=False)
        author["displayName"] = p.text("reply.parent.author.displayName")
        parent = {"$type": "app.bsky.feed.defs#postView", "uri": parent_uri, "cid": "bafyp",
                  "author": author,
                  "record": {"$type": "app.bsky.feed.post", "text": p.extra("reply.parent.text"),
                             "createdAt": _time(n), "langs": ["it"]},
                  "indexedAt": _time(n), "labels": []}
        item["reply"] = {"root": parent, "parent": parent}
    if n % 5 == 4:
        by = _bsky_profile(p, n, "reason.by", counted=False)
        by["displayName"] = p.text("reason.by.displayName")
        item["reason"] = {"$type": "app.bsky.feed.defs#reasonRepost", "by": by,
                          "indexedAt": _time(n)}
    return item


# -- X: API v2 tweets with includes (tests/fixtures/x/) ---------------------------------------

def _x_escape(text: str) -> str:
    """X escapes exactly &, < and > in `text`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _x_text(p: Placer, n: int, field: str, counted: bool = True) -> tuple[str, dict]:
    """(escaped text, entities): payload, a hashtag, a mention and a t.co link."""
    take = p.text if counted else p.extra
    main = take(field)
    tag = "xss" + str(n)
    mention = "amica_" + str(n % 100)
    tco = f"https://t.co/Xss{n:07d}"
    plain = f"{main} #{tag} @{mention} {tco}"
    at_tag = len(main) + 1
    at_mention = at_tag + len(tag) + 2
    at_url = at_mention + len(mention) + 2
    entities = {
        "hashtags": [{"start": at_tag, "end": at_tag + len(tag) + 1, "tag": tag}],
        "mentions": [{"start": at_mention, "end": at_mention + len(mention) + 1,
                      "username": mention, "id": "13"}],
        "urls": [{"start": at_url, "end": at_url + len(tco), "url": tco,
                  "expanded_url": p.url("entities.urls.expanded_url",
                                        "https://www.comune.example/programma?x=1&y=2"),
                  "display_url": p.extra("entities.urls.display_url")}],
    }
    return _x_escape(plain), entities


def _x_user(p: Placer, n: int, uid: str, field: str, *, counted: bool) -> dict[str, Any]:
    take = p.text if counted else p.extra
    return {"id": uid, "name": take(f"{field}.name"), "username": take(f"{field}.username"),
            "profile_image_url": p.url(f"{field}.profile_image_url", GOOD_IMAGE)}


def x_payload(p: Placer, n: int) -> dict[str, Any]:
    """A lookup {data, includes}: long posts as note_tweet, quotes, replies, every fifth a
    retweet whose original (and its author) travel in includes."""
    tweet_id = str(1860000000000000000 + n * 10)
    users = [_x_user(p, n, f"u{n}", "user", counted=True)]
    content: dict[str, Any] = {"id": tweet_id, "author_id": f"u{n}", "created_at": _time(n),
                               "lang": "it", "possibly_sensitive": n % 6 == 1,
                               "edit_history_tweet_ids": [tweet_id]}
    text, entities = _x_text(p, n, "text")
    if n % 3 == 2:  # a long post: the whole text is in note_tweet, `text` is cut short
        content["note_tweet"] = {"text": text, "entities": entities}
        short, short_entities = _x_text(p, n, "text (cut, superseded by note_tweet)",
                                        counted=False)
        content["text"], content["entities"] = short, short_entities
    else:
        content["text"], content["entities"] = text, entities
    keys = [f"3_{n}1", f"3_{n}2", f"7_{n}3", f"16_{n}4"]
    content["attachments"] = {"media_keys": keys}
    media = [
        {"media_key": keys[0], "type": "photo", "url": p.url("media.url", GOOD_IMAGE),
         "preview_image_url": GOOD_IMAGE, "alt_text": p.text("media.alt_text"),
         "width": 1200, "height": 800},
        {"media_key": keys[1], "type": "photo", "url": GOOD_IMAGE,
         "preview_image_url": p.url("media.preview_image_url", GOOD_IMAGE),
         "alt_text": p.text("media.alt_text"), "width": 1200, "height": 800},
        {"media_key": keys[2], "type": "video",
         "preview_image_url": p.url("media.preview_image_url", GOOD_IMAGE),
         "alt_text": p.text("media.alt_text"), "width": 1280, "height": 720,
         "variants": [{"content_type": "application/x-mpegURL",
                       "url": p.url("media.variants.url", "https://video.example/list.m3u8")},
                      {"bit_rate": 832000, "content_type": "video/mp4",
                       "url": "https://video.example/low.mp4"}]},
    ]
    gif_variant = p.url("media.variants.url", "https://video.example/gif.mp4")
    gif_preview = p.url("media.preview_image_url", GOOD_IMAGE)
    media.append({"media_key": keys[3], "type": "animated_gif", "preview_image_url": gif_preview,
                  "alt_text": p.text("media.alt_text") if _http(gif_variant) or _http(gif_preview)
                  else p.extra("media.alt_text"), "width": 480, "height": 270,
                  "variants": [{"bit_rate": 0, "content_type": "video/mp4", "url": gif_variant}]})
    tweets = []
    references = []
    if n % 3 == 1:
        quoted_text, quoted_entities = _x_text(p, n, "quoted.text")
        tweets.append({"id": str(1850000000000000000 + n), "text": quoted_text,
                       "entities": quoted_entities, "author_id": f"q{n}",
                       "created_at": _time(n + 1), "lang": "it"})
        quoted_user = _x_user(p, n, f"q{n}", "quoted.user", counted=False)
        quoted_user["name"] = p.text("quoted.user.name")
        users.append(quoted_user)
        references.append({"type": "quoted", "id": str(1850000000000000000 + n)})
    if n % 4 == 3:
        parent_text, parent_entities = _x_text(p, n, "replied_to.text", counted=False)
        tweets.append({"id": str(1840000000000000000 + n), "text": parent_text,
                       "entities": parent_entities, "author_id": f"r{n}",
                       "created_at": _time(n), "lang": "it"})
        parent_user = _x_user(p, n, f"r{n}", "replied_to.user", counted=False)
        parent_user["name"] = p.text("replied_to.user.name")
        users.append(parent_user)
        references.append({"type": "replied_to", "id": str(1840000000000000000 + n)})
    if references:
        content["referenced_tweets"] = references
    content["public_metrics"] = {"retweet_count": n % 4, "reply_count": n % 3,
                                 "like_count": n % 9, "quote_count": 0}
    if n % 5 == 4:  # a retweet: the original is the content, the retweeter shows as "Condiviso da"
        original_id = str(1870000000000000000 + n)
        content["id"] = original_id
        content["edit_history_tweet_ids"] = [original_id]
        tweets.append(content)
        retweeter = _x_user(p, n, f"rt{n}", "retweeter", counted=False)
        retweeter["name"] = p.text("retweeter.name")
        users.append(retweeter)
        data = {"id": tweet_id, "author_id": f"rt{n}", "created_at": _time(n), "lang": "it",
                "text": "RT @" + _x_escape(users[0]["username"][:15]) + ": "
                        + _x_escape(p.extra("retweet.text")[:100]),
                "referenced_tweets": [{"type": "retweeted", "id": original_id}]}
    else:
        data = content
    return {"data": data, "includes": {"users": users, "media": media, "tweets": tweets}}


# -- RSS 2.0 with content:encoded, dc:creator, enclosure and Media RSS (tests/fixtures/rss/) ---

ITEMS_PER_FEED = 3


def rss_payload(p: Placer, n: int) -> bytes:
    """A feed document of ITEMS_PER_FEED items; `n` numbers its first item."""
    feed_title = p.text("channel.title")
    items = []
    for k in range(ITEMS_PER_FEED):
        m = n + k
        pictures = [f"{GOOD_IMAGE}?item={m}&picture={i}" for i in range(3)]
        body = ""
        if m % 3 != 2:  # content:encoded, with its pictures and their alt texts
            body = f"<p>{p.text('content:encoded')}</p>" + "".join(
                f'<p><img src="{src}" alt="{html_escape(p.text("content:encoded img alt"))}"></p>'
                for src in pictures)
            body += (f'<p><img src="{html_escape(p.url("content:encoded img src", GOOD_IMAGE))}"'
                     f' alt="{html_escape(p.extra("content:encoded img alt"))}"></p>'
                     f'<p><a href="{html_escape(p.url("content:encoded a href", GOOD_IMAGE))}">'
                     f"{html_escape(p.extra('content:encoded a text'))}</a></p>")
        # Without content:encoded the description is the body.
        description = p.extra("description") if body else p.text("description")
        items.append(
            "<item>"
            f"<title>{xml_escape(p.text('item.title'))}</title>"
            f"<link>{xml_escape(p.url('item.link', f'https://blog.example/{m}'))}</link>"
            f'<guid isPermaLink="false">xss-item-{m}</guid>'
            f"<pubDate>Thu, 19 Nov 2026 {8 + (m // 60) % 9:02d}:{m % 60:02d}:00 +0000</pubDate>"
            f"<dc:creator>{xml_escape(p.text('dc:creator'))}</dc:creator>"
            f"<category>{xml_escape(p.extra('category'))}</category>"
            f"<description>{xml_escape(description)}</description>"
            + (f"<content:encoded>{xml_escape(body)}</content:encoded>" if body else "")
            + f'<enclosure url={quoteattr(p.url("enclosure url", pictures[1]))}'
            ' type="image/png" length="1234"/>'
            f'<media:content url={quoteattr(p.url("media:content url", pictures[0]))}'
            ' medium="image" width="1024" height="768"/>'
            f'<media:thumbnail url={quoteattr(p.url("media:thumbnail url", GOOD_IMAGE))}/>'
            "</item>")
    document = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{xml_escape(feed_title)}</title>"
        f"<link>{xml_escape(p.url('channel.link', 'https://blog.example/'))}</link>"
        f"<description>{xml_escape(p.extra('channel.description'))}</description>"
        "<language>it-IT</language>"
        f"<image><url>{xml_escape(p.url('channel.image.url', GOOD_IMAGE))}</url>"
        f"<title>{xml_escape(p.extra('channel.image.title'))}</title>"
        f"<link>{xml_escape(p.url('channel.image.link', 'https://blog.example/'))}</link>"
        "</image>" + "".join(items) + "</channel></rss>")
    return document.encode("utf-8")


# -- all platforms ------------------------------------------------------------------------------

BUILDERS: dict[str, tuple[Callable[[Placer, int], Any], Callable[[Any], list[Post]], int]] = {
    "mastodon": (mastodon_payload, mastodon.posts_from_payload, 1),
    "bluesky": (bluesky_payload, bluesky.posts_from_payload, 1),
    "x": (x_payload, x.posts_from_payload, 1),
    "rss": (rss_payload, rss.posts_from_payload, ITEMS_PER_FEED),
}


class Built:
    """One platform's posts, with the bookkeeping of where every payload went."""

    def __init__(self, placer: Placer) -> None:
        self.placer = placer
        self.posts: list[Post] = []
        self.payloads: int = 0  # native payloads built
        self.refused: list[tuple[str, list[tuple[int, str]]]] = []  # (why, placements lost)


def build(platform: str, texts: list[str] | None = None, urls: list[str] | None = None
          ) -> Built:
    """Native payloads of `platform` until the whole corpus is placed, through the real
    normalizer; payloads it refuses are recorded with the placements they carried."""
    make, normalize, step = BUILDERS[platform]
    placer = Placer(platform, texts or payloads(), urls or url_payloads())
    built = Built(placer)
    n = 0
    while not placer.complete():
        native = make(placer, n)
        built.payloads += 1
        n += step
        try:
            posts = normalize(native)
        except NormalizeError as exc:
            built.refused.append((str(exc), placer.pending))
            placer.pending = []
            continue
        placer.commit()
        built.posts.extend(posts)
    return built
