"""Generate Piazza's bundled demo event: a fictional "#pasocial" conference day in Valdoria.

Run from anywhere:  python coverage/demo/make_demo.py

It writes coverage/demo/pasocial.json (the only file the app reads) and the hand-made SVG
pictures under static/demo/ (avatars/ and media/).  It is deterministic (random.Random(2026),
standard library only): running it twice gives the same bytes.

Everything here is invented: people, institutions, figures, quotes.  Domains are under
.example; pictures and avatars live on the asset host https://demo.piazza.invalid/, which the
replay source maps to /static/demo/.  Platform hosts that belong to the payload shapes
(bsky.app, x.com, t.co, did:plc, at://) are kept as the platforms write them.

The payloads are the platforms' own documented shapes, so they go through the real normalizers:
Mastodon Status entities, Bluesky postView / feedViewPost objects, X API v2 search pages,
RSS 2.0 and Atom documents.
"""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
JSON_OUT = ROOT / "coverage" / "demo" / "pasocial.json"
STATIC_OUT = ROOT / "static" / "demo"
ASSETS = "https://demo.piazza.invalid/"
VIEW = "social.pasocial.example"  # the Mastodon instance whose API the recording was read from
ROME = timezone(timedelta(hours=1), "CET")  # Europe/Rome in November
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TWEPOCH_MS = 1288834974657

rng = random.Random(2026)


# --------------------------------------------------------------------------------------------
# Time helpers
# --------------------------------------------------------------------------------------------


def when(text: str) -> datetime:
    """'HH:MM' (19 November, local time) or 'MM-DD HH:MM' as an aware UTC datetime."""
    day = "11-19"
    if " " in text:
        day, text = text.split(" ")
    month, dom = (int(p) for p in day.split("-"))
    hour, minute = (int(p) for p in text.split(":"))
    return datetime(2026, month, dom, hour, minute, tzinfo=ROME).astimezone(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iso_local(moment: datetime) -> str:
    return moment.astimezone(ROME).isoformat(timespec="seconds")


def millis(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


# --------------------------------------------------------------------------------------------
# Identifiers in each platform's own format
# --------------------------------------------------------------------------------------------

B32 = "abcdefghijklmnopqrstuvwxyz234567"
S32 = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable, for TIDs
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
B83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"


def mastodon_id(moment: datetime) -> str:
    """A Mastodon snowflake: milliseconds since the epoch, shifted 16 bits, plus a sequence."""
    return str((millis(moment) << 16) | rng.randrange(1 << 16))


def tweet_id(moment: datetime) -> str:
    """An X snowflake (19 digits in 2026)."""
    value = ((millis(moment) - TWEPOCH_MS) << 22) | (rng.randrange(1024) << 12)
    return str(value | rng.randrange(4096))


def tid(moment: datetime) -> str:
    """An AT Protocol record key: 53 bits of microseconds and 10 bits of clock id, 13 chars."""
    value = ((moment - EPOCH) // timedelta(microseconds=1)) << 10 | rng.randrange(1024)
    out = ""
    for _ in range(13):
        out = S32[value & 31] + out
        value >>= 5
    return out


def did() -> str:
    return "did:plc:" + "".join(rng.choice(B32) for _ in range(24))


def cid(prefix: str = "bafyrei") -> str:
    return prefix + "".join(rng.choice(B32) for _ in range(52))


def tco() -> str:
    return "https://t.co/" + "".join(rng.choice(ALNUM) for _ in range(10))


def blurhash(colour: str) -> str:
    """A well-formed 4x3 blurhash whose average colour is `colour`."""

    def b83(value: int, length: int) -> str:
        return "".join(B83[(value // 83 ** (length - 1 - i)) % 83] for i in range(length))

    components = b83(3 + 2 * 9, 1) + b83(rng.randrange(20, 60), 1)
    average = b83(int(colour[1:], 16), 4)
    return components + average + "".join(b83(rng.randrange(19**3), 2) for _ in range(11))


# --------------------------------------------------------------------------------------------
# People and institutions (all fictional)
# --------------------------------------------------------------------------------------------

PAS = "social.pasocial.example"
CVD = "mastodon.comune-valdoria.example"
RLU = "social.regione-lumbria.example"
UNI = "mastodon.uni-valdoria.example"
ANS = "mastodon.ansd.example"
TOOT = "toot.lumbria.example"
CIV = "civic.social.example"

# key: (display name, short role, mastodon "user@instance", bluesky handle, X username, initials)
PEOPLE_SPEC: dict[str, tuple[str, str, str | None, str | None, str | None, str]] = {
    # Organisers and institutions
    "pasocial": ("#pasocial · Stati generali",
                 "Account ufficiale degli Stati generali della nuova comunicazione pubblica. "
                 "Valdoria, 19 novembre 2026.",
                 f"pasocial@{PAS}", "pasocial.example", "pasocial_it", "#P"),
    "comune_vd": ("Comune di Valdoria", "Account istituzionale del Comune di Valdoria.",
                  f"comune@{CVD}", "comune-valdoria.example", "ComuneValdoria", "CV"),
    "regione": ("Regione Lumbria", "Account ufficiale della Regione Lumbria.",
                f"regione@{RLU}", "regione-lumbria.example", "RegioneLumbria", "RL"),
    "ansd": ("Agenzia Nazionale Servizi Digitali",
             "Agenzia Nazionale Servizi Digitali (ANSD): servizi pubblici digitali, "
             "accessibili e semplici.", f"ansd@{ANS}", "ansd.example", None, "AN"),
    "asl": ("ASL Monteverde", "Azienda sanitaria locale di Monteverde. Per le emergenze: 112.",
            None, "asl-monteverde.example", "ASLMonteverde", "AM"),
    "protciv": ("Protezione civile Lumbria",
                "Protezione civile della Regione Lumbria. Allerte e avvisi ufficiali.",
                f"protezionecivile@{RLU}", None, "ProtCivLumbria", "PC"),
    "univ": ("Università di Valdoria", "Notizie dall'Università degli Studi di Valdoria.",
             f"unival@{UNI}", "uni-valdoria.example", None, "UV"),
    "biblio": ("Biblioteche di Valdoria", "Le biblioteche civiche di Valdoria: leggere insieme.",
               f"biblioteche@{CVD}", None, None, "BV"),
    "provincia": ("Provincia di Serralta", "Provincia di Serralta.", None, None, None, "PS"),
    "porto": ("Comune di Porto Ardesio", "Comune di Porto Ardesio.", None, None, None, "PA"),
    # Speakers
    "bassani": ("Lorenzo Bassani", "Presidente, Rete dei Comunicatori Pubblici",
                f"lbassani@{PAS}", None, "lorenzobassani", ""),
    "sartori": ("Elena Sartori", "Assessora all'innovazione, Comune di Valdoria",
                None, "elenasartori.bsky.social", "elenasartori_vd", ""),
    "rinaldi": ("Tommaso Rinaldi", "Giornalista, conduce la giornata",
                None, "tommasorinaldi.bsky.social", "tommasorinaldi", ""),
    "ferri": ("Giulia Ferri", "Responsabile comunicazione digitale, Regione Lumbria",
              f"giuliaferri@{RLU}", "giuliaferri.bsky.social", "giuliaferri_pa", ""),
    "galli": ("Marco Galli", "Social media manager, Comune di Valdoria",
              f"marcogalli@{CVD}", None, "marcogalli_vd", ""),
    "lodi": ("Francesca Lodi", "Avvocata, esperta di diritto dell'informazione",
             None, "francescalodi.bsky.social", None, ""),
    "benedetti": ("Paolo Benedetti", "Capo ufficio stampa, Provincia di Serralta",
                  None, None, "paolobenedetti_ps", ""),
    "conti": ("Silvia Conti", "Vicepresidente, Rete dei Comunicatori Pubblici",
              f"silviaconti@{PAS}", "silviaconti.bsky.social", None, ""),
    "vitale": ("Marta Vitale", "Esperta di accessibilità digitale, Agenzia Nazionale Servizi "
               "Digitali", f"martavitale@{ANS}", "martavitale.bsky.social", None, ""),
    "fontana": ("Andrea Fontana", "Redattore web, Ente Nazionale Previdenza Lavoratori",
                f"afontana@{TOOT}", None, "andreafontana_web", ""),
    "greco": ("Sara Greco", "Linguista, Università di Valdoria",
              f"saragreco@{UNI}", "saragreco.bsky.social", None, ""),
    "marchetti": ("Luca Marchetti", "Consulente per l'accessibilità, Associazione Sordi Lumbria",
                  None, "lucamarchetti.bsky.social", None, ""),
    "longo": ("Roberto Longo", "Responsabile comunicazione, Protezione civile Lumbria",
              None, None, "robertolongo_pc", ""),
    "caruso": ("Irene Caruso", "Social media manager, ASL Monteverde",
               f"irenecaruso@{PAS}", "irenecaruso.bsky.social", "irene_caruso", ""),
    "guerrieri": ("Fabio Guerrieri", "Commissario, Polizia locale di Valdoria",
                  None, None, "fabioguerrieri_pl", ""),
    "rossetti": ("Valentina Rossetti", "Data analyst, Agenzia Nazionale Servizi Digitali",
                 f"vrossetti@{ANS}", "vrossetti.bsky.social", None, ""),
    "mancini": ("Stefano Mancini", "Responsabile comunicazione, Comune di Porto Ardesio",
                None, None, "stefanomancini_pa", ""),
    "ferraro": ("Noemi Ferraro", "Ricercatrice, Osservatorio sulla comunicazione pubblica, "
                "Università di Valdoria", f"noemiferraro@{UNI}", "noemiferraro.bsky.social",
                None, ""),
    "testa": ("Alessandro Testa", "Direttore dei servizi digitali, Agenzia Nazionale Servizi "
              "Digitali", None, "alessandrotesta.bsky.social", "alessandrotesta", ""),
    "riva": ("Beatrice Riva", "Social media manager, Regione Lumbria",
             f"beatriceriva@{RLU}", "beatriceriva.bsky.social", "beariva", ""),
    "desantis": ("Nicola De Santis", "Giurista, Università di Castelmarino",
                 None, "nicoladesantis.bsky.social", None, "ND"),
    "bellini": ("Laura Bellini", "Giornalista, Il Corriere di Lumbria",
                None, None, "laurabellini_cdl", ""),
    "ferrante": ("Giorgio Ferrante", "Sindaco di Borgo Ventoso",
                 None, None, "giorgioferrante_bv", ""),
    "moro": ("Alice Moro", "Bibliotecaria, Biblioteche civiche di Valdoria",
             f"alicemoro@{CVD}", "alicemoro.bsky.social", None, ""),
    "serra": ("Matteo Serra", "Comunicazione, Museo civico di Castelmarino",
              None, "matteoserra.bsky.social", "matteoserra_museo", ""),
    "lombardi": ("Anna Lombardi", "Responsabile URP, Comune di Porto Ardesio",
                 f"annalombardi@{TOOT}", None, None, ""),
    # Attendees
    "esposito": ("Chiara Esposito", "Social media manager, Comune di Castelmarino",
                 f"chiaraesposito@{PAS}", None, "chiaraesposito_cm", ""),
    "russo": ("Davide Russo", "Ufficio stampa, ASL Monteverde",
              None, "davidrusso.bsky.social", None, ""),
    "gentile": ("Federica Gentile", "URP, Regione Lumbria", f"fgentile@{RLU}", None, None, ""),
    "barbieri": ("Simone Barbieri", "Comunicazione, Comune di Borgo Ventoso",
                 None, None, "simonebarbieri_bv", ""),
    "fabbri": ("Martina Fabbri", "Studentessa, master in Comunicazione pubblica",
               None, "martinafabbri.bsky.social", "martifabbri", ""),
    "orlando": ("Giacomo Orlando", "Giornalista freelance",
                f"gorlando@{TOOT}", "giacomoorlando.bsky.social", "giacomoorlando", ""),
    "santoro": ("Elisa Santoro", "Service designer",
                f"elisasantoro@{PAS}", "elisasantoro.bsky.social", None, ""),
    "villa": ("Riccardo Villa", "Web editor, Camera di commercio di Lumbria",
              None, None, "riccardovilla", ""),
    "monti": ("Ilaria Monti", "Social media manager, Parco regionale dei Colli Lumbri",
              f"ilariamonti@{PAS}", "ilariamonti.bsky.social", None, ""),
    "cattaneo": ("Pietro Cattaneo", "Sviluppatore, civic hacker", f"pietro@{CIV}", None, None, ""),
    "dangelo": ("Camilla D'Angelo", "Comunicazione, Università di Valdoria",
                None, "camilladangelo.bsky.social", "camilladangelo", "CD"),
    "pace": ("Antonio Pace", "Dirigente del settore comunicazione, Comune di Valdoria",
             None, None, "antoniopace_vd", ""),
    "ricci": ("Daniele Ricci", "Insegnante, cittadino curioso", f"danielericci@{TOOT}",
              None, None, ""),
    "neri": ("Rebecca Neri", "UX writer", f"rebecca@{CIV}", "rebeccaneri.bsky.social", None, ""),
    "costa": ("Emanuele Costa", "Funzionario, Prefettura di Serralta",
              None, None, "emanuelecosta", ""),
    "bruno": ("Giada Bruno", "Addetta stampa, Comune di Serralta",
              f"giadabruno@{PAS}", None, "giadabruno", ""),
    "leone": ("Tiziana Leone", "Comunicazione, Istituto lumbro per il lavoro",
              None, "tizianaleone.bsky.social", None, ""),
    "marras": ("Gabriele Marras", "Cittadino di Pieve Lumbra", None, None, "gabriele_marras", ""),
    # Accounts an editor has to turn away
    "spam_trading": ("Marco | Trading & Libertà 💰", "Ti insegno a vivere di rendita.",
                     None, None, "marco_trading_pro", "MT"),
    "spam_boost": ("Follower Boost Italia", "Follower veri, subito.",
                   None, "followerboost-it.bsky.social", None, "FB"),
    "spam_coin": ("PaCoin Official 🚀", "To the moon.", "pacoin@moneyrain.example", None, None,
                  "PC"),
    "spam_mentor": ("Sara ✨ Successo", "Mindset, libertà finanziaria, viaggi.",
                    None, None, "sara_successo_88", "SS"),
    "ot_calcio": ("Ultrà Valdoria 1921", "Sempre e solo Valdoria.", None, None,
                  "ultravaldoria1921", "UV"),
    "ot_materassi": ("Materassi Lumbria", "Dormi bene, spendi meno.",
                     "offerte@shop.lumbria.example", None, None, "ML"),
    "ot_cucina": ("La cucina della nonna", "Ricette di casa, una al giorno.",
                  None, "cucinadellanonna.bsky.social", None, "CN"),
    "ins_x": ("Cittadino Indignato", "Dico quello che penso.", None, None,
              "cittadino_indignato", "CI"),
    "ins_m": ("Gianni", "", f"gianni_vd@{TOOT}", None, None, "G"),
}

INSTITUTIONS = {"pasocial", "comune_vd", "regione", "ansd", "asl", "protciv", "univ", "biblio",
                "provincia", "porto"}


class Person:
    def __init__(self, key: str, spec: tuple) -> None:
        self.key = key
        self.name, self.role, self.m, self.b, self.x, initials = spec
        words = [w for w in re.findall(r"[A-Za-zÀ-ÿ']+", self.name)
                 if w[0].isupper() and w not in ("De",)]
        self.initials = initials or "".join(w[0] for w in words[:2]).upper()
        self.slug = key.replace("_", "-")
        self.avatar = f"{ASSETS}avatars/{self.slug}.svg"
        self.institution = key in INSTITUTIONS
        self.shady = key.startswith(("spam_", "ot_", "ins_"))
        created = datetime(2016, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(3300))
        self.created = created
        self.m_id = str((millis(created) << 16) | rng.randrange(1 << 16))
        self.did = did()
        self.b_created = datetime(2023, 5, 1, 9, tzinfo=UTC) + timedelta(
            minutes=rng.randrange(60 * 24 * 900))
        self.x_id = (str(rng.randrange(10**7, 10**10)) if rng.random() < 0.5
                     else tweet_id(created))
        scale = 12000 if self.institution else (40 if self.shady else 900)
        self.followers = int(scale * rng.uniform(0.3, 2.5))
        self.following = int(self.followers * rng.uniform(0.05, 0.8)) + 3
        self.statuses = rng.randrange(40, 4000)

    def platforms(self) -> list[str]:
        return [p for p, handle in (("mastodon", self.m), ("bluesky", self.b), ("x", self.x))
                if handle]

    def handle(self, platform: str) -> str:
        """The handle as Piazza's Author.handle writes it."""
        return {"mastodon": f"@{self.m}", "bluesky": f"@{self.b}", "x": f"@{self.x}"}[platform]


PEOPLE = {key: Person(key, spec) for key, spec in PEOPLE_SPEC.items()}


# --------------------------------------------------------------------------------------------
# Pictures: hand-made SVG "photos" of the day (1200x675) and initials avatars (128x128)
# --------------------------------------------------------------------------------------------

W, H = 1200, 675
FONT = "Helvetica,Arial,sans-serif"
INK = "#17202f"
HALL = "#1b2233"


def svg(title: str, body: str, width: int = W, height: int = H) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" font-family="{FONT}">'
            f"<title>{escape(title, quote=False)}</title>{body}</svg>\n")


def txt(x: float, y: float, text: str, size: int, fill: str = INK, bold: bool = False,
        anchor: str = "") -> str:
    weight = ' font-weight="700"' if bold else ""
    align = f' text-anchor="{anchor}"' if anchor else ""
    return (f'<text x="{x}" y="{y}" font-size="{size}" fill="{fill}"{weight}{align}>'
            f"{escape(text, quote=False)}</text>")


def heads_pattern(colour: str = "#0b0f18") -> str:
    return (f'<pattern id="h" width="64" height="84" patternUnits="userSpaceOnUse">'
            f'<g fill="{colour}"><circle cx="32" cy="26" r="19"/>'
            f'<rect x="8" y="46" width="48" height="50" rx="22"/></g></pattern>')


def hall(screen: str, accent: str, *, far: bool = False, podium: bool = False,
         blur: bool = False, applause: bool = False) -> str:
    """A dark auditorium: a projected slide, maybe a speaker, the audience in silhouette."""
    box = "translate(330 60) scale(0.6)" if far else "translate(150 40)"
    body = (f'<rect width="{W}" height="{H}" fill="{HALL}"/>'
            f'<g transform="{box}"><rect width="900" height="480" rx="6" fill="#f6f3ea"/>'
            f'<rect width="900" height="16" fill="{accent}"/>{screen}</g>')
    if podium:
        body += ('<rect x="880" y="390" width="130" height="150" rx="6" fill="#3a4254"/>'
                 '<circle cx="945" cy="350" r="26" fill="#c98f6b"/>'
                 '<rect x="915" y="372" width="60" height="40" rx="14" fill="#2d3a5c"/>')
    if applause:
        body += "".join(f'<circle cx="{x}" cy="{y}" r="9" fill="#e9b08b"/>'
                        for x, y in ((150, 500), (420, 470), (700, 490), (980, 480)))
    rows = '<rect y="430" width="1200" height="245" fill="url(#h)"/>' if far else ""
    body += rows + '<rect y="545" width="1200" height="130" fill="url(#h)"/>'
    defs = heads_pattern()
    if blur:
        defs += '<filter id="b"><feGaussianBlur stdDeviation="6"/></filter>'
        body = f'<g filter="url(#b)">{body}</g>'
    return f"<defs>{defs}</defs>{body}"


def s_title(lines: list[str], sub: str = "", size: int = 56) -> str:
    y = 150 if len(lines) < 3 else 118
    out = ""
    for line in lines:
        out += txt(60, y, line, size, INK, True)
        y += size + 16
    return out + (txt(60, y + 34, sub, 28, "#4a5263") if sub else "")


def s_bars(title: str, bars: list[tuple[str, float, str]], colour: str) -> str:
    out = txt(60, 84, title, 38, INK, True)
    top = max(v for _, v, _ in bars)
    for i, (label, value, shown) in enumerate(bars):
        y = 130 + i * 84
        width = 560 * value / top
        out += txt(60, y + 26, label, 26, "#333b4a")
        out += f'<rect x="60" y="{y + 38}" width="{width:.0f}" height="30" fill="{colour}"/>'
        out += txt(75 + width, y + 63, shown, 28, INK, True)
    return out


def s_columns(title: str, left: tuple[str, list[str]], right: tuple[str, list[str]],
              colours: tuple[str, str]) -> str:
    out = txt(60, 88, title, 42, INK, True)
    for x, (head, items), colour in ((60, left, colours[0]), (470, right, colours[1])):
        out += f'<rect x="{x}" y="120" width="380" height="320" rx="10" fill="{colour}"/>'
        out += txt(x + 24, 170, head, 30, "#ffffff", True)
        for j, item in enumerate(items):
            out += txt(x + 24, 230 + j * 56, "• " + item, 26, "#ffffff")
    return out


def s_list(title: str, items: list[str], colour: str, sub: str = "") -> str:
    out = txt(60, 96, title, 44, INK, True) + (txt(60, 138, sub, 26, "#4a5263") if sub else "")
    for j, item in enumerate(items):
        y = 200 + j * 82
        out += f'<circle cx="80" cy="{y - 10}" r="14" fill="{colour}"/>'
        out += txt(112, y, item, 32, INK)
    return out


def s_numbers(pairs: list[tuple[str, str]], caption: str, colour: str) -> str:
    out = ""
    for i, (number, label) in enumerate(pairs):
        x = 240 + i * 420
        out += txt(x, 220, number, 120, colour, True, "middle")
        out += txt(x, 275, label, 34, INK, False, "middle")
    return out + txt(450, 400, caption, 36, INK, True, "middle")


def s_cycle(title: str, nodes: list[str], colour: str) -> str:
    out = txt(60, 84, title, 42, INK, True)
    out += (f'<circle cx="450" cy="285" r="140" fill="none" stroke="{colour}" '
            'stroke-width="10" stroke-dasharray="40 18"/>'
            '<circle cx="450" cy="262" r="30" fill="#c98f6b"/>'
            f'<rect x="412" y="296" width="76" height="50" rx="24" fill="{colour}"/>')
    spots = ((450, 150, "middle"), (640, 295, "start"), (450, 460, "middle"), (260, 295, "end"))
    for (x, y, anchor), label in zip(spots, nodes, strict=True):
        out += txt(x, y, label, 30, INK, True, anchor)
    return out


def screen_only(title_lines: list[str], sub: str, accent: str, **kw: bool) -> str:
    return hall(s_title(title_lines, sub), accent, **kw)


def pic_registration() -> str:
    return ('<rect width="1200" height="675" fill="#ece4d2"/>'
            '<rect x="160" y="50" width="880" height="130" rx="10" fill="#0f5e6e"/>'
            + txt(600, 132, "Accoglienza · #pasocial 2026", 52, "#ffffff", True, "middle")
            + '<circle cx="420" cy="300" r="40" fill="#8d5a3b"/>'
            '<rect x="370" y="345" width="100" height="120" rx="40" fill="#c0392b"/>'
            '<circle cx="780" cy="300" r="40" fill="#f1c6a4"/>'
            '<rect x="730" y="345" width="100" height="120" rx="40" fill="#2f6f4f"/>'
            '<rect x="120" y="420" width="960" height="90" fill="#7a5230"/>'
            + "".join(f'<rect x="{x}" y="400" width="56" height="40" rx="4" fill="#ffffff"/>'
                      f'<rect x="{x}" y="400" width="56" height="10" fill="#0f5e6e"/>'
                      for x in range(200, 1000, 90))
            + '<g fill="#2b2f3a">'
            + "".join(f'<circle cx="{x}" cy="590" r="34"/><rect x="{x - 44}" y="626" '
                      f'width="88" height="60" rx="30"/>' for x in (110, 300, 520, 760, 1010))
            + "</g>")


def pic_badge() -> str:
    qr = "".join(f'<rect x="{620 + (i % 5) * 22}" y="{470 + (i // 5) * 22}" width="20" '
                 f'height="20" fill="#17202f"/>' for i in range(25) if (i * 7) % 3)
    return ('<rect width="1200" height="675" fill="#d9d3c7"/>'
            '<path d="M520 0 L560 60 M680 0 L640 60" stroke="#2e7d5b" stroke-width="26"/>'
            '<g transform="rotate(-4 600 360)">'
            '<rect x="400" y="60" width="400" height="580" rx="18" fill="#ffffff"/>'
            '<rect x="400" y="60" width="400" height="110" rx="18" fill="#0f5e6e"/>'
            + txt(600, 130, "#pasocial 2026", 40, "#ffffff", True, "middle")
            + txt(600, 230, "CIAO, SONO", 26, "#4a5263", True, "middle")
            + txt(600, 300, "Chiara", 64, INK, True, "middle")
            + txt(600, 350, "lei / she", 30, "#0f5e6e", False, "middle")
            + txt(600, 410, "Comune di Castelmarino", 28, INK, False, "middle")
            + txt(440, 540, "Programma:", 24, "#4a5263")
            + qr + "</g>")


def pic_coffee() -> str:
    cups = "".join(f'<ellipse cx="{x}" cy="{y + 10}" rx="70" ry="40" fill="#f4f1ea"/>'
                   f'<circle cx="{x}" cy="{y}" r="42" fill="#ffffff"/>'
                   f'<circle cx="{x}" cy="{y}" r="32" fill="#5b3a1e"/>'
                   for x, y in ((220, 330), (430, 450), (650, 320), (860, 470), (1020, 300)))
    return ('<rect width="1200" height="675" fill="#9a6a43"/>'
            '<rect width="1200" height="120" fill="#3b2a1d"/>' + cups
            + '<rect x="560" y="540" width="520" height="100" rx="8" fill="#ffffff"/>'
            + txt(820, 604, "Pausa caffè · fino alle 11:00", 36, INK, True, "middle"))


def pic_buffet() -> str:
    plates = "".join(
        f'<circle cx="{x}" cy="{y}" r="58" fill="#ffffff"/>'
        f'<rect x="{x - 34}" y="{y - 24}" width="68" height="48" rx="6" fill="{food}"/>'
        for x, y, food in ((180, 380, "#d4632c"), (360, 430, "#e8c070"), (560, 380, "#6aa84f"),
                           (760, 430, "#d4632c"), (960, 380, "#e8c070")))
    return ('<rect width="1200" height="675" fill="#c9d8c5"/>'
            '<path d="M0 0 H1200 V220 H0 Z" fill="#f1ead8"/>'
            + "".join(f'<path d="M{x} 220 V110 A60 60 0 0 1 {x + 120} 110 V220" '
                      f'fill="#c9d8c5"/>' for x in (90, 390, 690, 990))
            + '<rect x="60" y="300" width="1080" height="230" fill="#fbfaf6"/>' + plates
            + '<rect x="120" y="560" width="300" height="70" rx="8" fill="#0f5e6e"/>'
            + txt(270, 607, "Senza glutine", 34, "#ffffff", True, "middle")
            + '<rect x="780" y="560" width="300" height="70" rx="8" fill="#2e7d5b"/>'
            + txt(930, 607, "Vegano", 34, "#ffffff", True, "middle"))


def faces(spec: list[tuple[int, int, str, str]]) -> str:
    out = ""
    for x, y, skin, hair in spec:
        out += (f'<rect x="{x - 75}" y="{y + 70}" width="150" height="200" rx="60" fill="{hair}"'
                ' opacity="0.85"/>'
                f'<circle cx="{x}" cy="{y - 14}" r="72" fill="{hair}"/>'
                f'<circle cx="{x}" cy="{y}" r="64" fill="{skin}"/>'
                f'<circle cx="{x - 22}" cy="{y - 8}" r="7" fill="{INK}"/>'
                f'<circle cx="{x + 22}" cy="{y - 8}" r="7" fill="{INK}"/>'
                f'<path d="M{x - 26} {y + 22} Q{x} {y + 46} {x + 26} {y + 22}" fill="none" '
                f'stroke="{INK}" stroke-width="6" stroke-linecap="round"/>')
    return out


def pic_selfie(banner: str, background: str, people: list[tuple[int, int, str, str]],
               trees: bool = False) -> str:
    body = f'<rect width="1200" height="675" fill="{background}"/>'
    if trees:
        body += "".join(f'<path d="M{x} 260 L{x + 70} 60 L{x + 140} 260 Z" fill="#2e6b3f"/>'
                        for x in range(20, 1200, 170))
    body += ('<rect x="250" y="40" width="700" height="110" rx="12" fill="#ffffff" '
             'opacity="0.92"/>' + txt(600, 114, banner, 54, "#0f5e6e", True, "middle"))
    return body + faces(people)


def pic_cloister(sunset: bool = False) -> str:
    sky = "#f2a65a" if sunset else "#a9d3ee"
    body = (f'<rect width="1200" height="675" fill="{sky}"/>'
            '<rect y="120" width="1200" height="330" fill="#efe6d2"/>'
            + "".join(f'<path d="M{x} 450 V250 A70 70 0 0 1 {x + 140} 250 V450 Z" '
                      f'fill="{"#6b4f3a" if sunset else "#8fa9b8"}"/>'
                      for x in range(60, 1200, 220))
            + '<rect y="450" width="1200" height="225" fill="#7fae5a"/>')
    if sunset:
        body += "".join(f'<path d="M{x} 520 L{x + 50} 520 L{x + 30} 575 Z" fill="#f7e7b0" '
                        f'stroke="#ffffff" stroke-width="3"/><rect x="{x + 27}" y="575" '
                        f'width="6" height="50" fill="#ffffff"/>' for x in (260, 420, 580, 740))
        body += txt(600, 80, "Aperitivo nel chiostro", 54, "#3b2a1d", True, "middle")
    else:
        body += "".join(f'<circle cx="{x}" cy="500" r="22" fill="#2b2f3a"/>'
                        f'<rect x="{x - 26}" y="520" width="52" height="90" rx="20" '
                        f'fill="{c}"/>' for x, c in ((210, "#c0392b"), (260, "#2f6f4f"),
                                                     (640, "#0f5e6e"), (700, "#8e44ad"),
                                                     (940, "#d4632c")))
    return body


def pic_train() -> str:
    return ('<rect width="1200" height="675" fill="#3a3f4b"/>'
            '<rect x="90" y="60" width="1020" height="430" rx="60" fill="#f6c1a8"/>'
            '<ellipse cx="300" cy="480" rx="420" ry="170" fill="#6e9e5a"/>'
            '<ellipse cx="860" cy="500" rx="480" ry="200" fill="#5a8a4a"/>'
            '<circle cx="930" cy="190" r="46" fill="#ffe7a8"/>'
            '<rect x="90" y="60" width="1020" height="430" rx="60" fill="none" stroke="#23262e" '
            'stroke-width="40"/><rect y="520" width="1200" height="155" fill="#4c5260"/>'
            '<path d="M420 640 L470 540 L760 540 L800 640 Z" fill="#c7ccd6"/>'
            '<rect x="540" y="560" width="130" height="60" rx="6" fill="#ffffff"/>')


def pic_wall() -> str:
    cards = ""
    for i in range(6):
        x, y = 110 + (i % 3) * 340, 150 + (i // 3) * 240
        colour = ("#6364ff", "#1185fe", "#17202f")[i % 3]
        cards += (f'<rect x="{x}" y="{y}" width="310" height="210" rx="14" fill="#ffffff"/>'
                  f'<circle cx="{x + 40}" cy="{y + 40}" r="22" fill="{colour}"/>'
                  f'<rect x="{x + 75}" y="{y + 28}" width="150" height="14" fill="#8a93a6"/>'
                  + "".join(f'<rect x="{x + 24}" y="{y + 90 + k * 30}" '
                            f'width="{250 - k * 40}" height="14" fill="#c7ccd6"/>'
                            for k in range(3)))
    return ('<rect width="1200" height="675" fill="#101522"/>'
            '<rect x="80" y="30" width="1040" height="610" rx="10" fill="#1f2a44"/>'
            + txt(110, 100, "#pasocial · wall in sala", 44, "#ffffff", True) + cards)


def pic_programme() -> str:
    rows = [("09:30", "Apertura dei lavori"), ("10:00", "Keynote"),
            ("11:00", "Social media policy negli enti"),
            ("11:50", "Accessibilità e linguaggio chiaro"),
            ("12:40", "Crisi e comunicazione d'emergenza"), ("14:30", "Dati e KPI"),
            ("15:20", "Intelligenza artificiale e PA"), ("16:30", "Storie dai territori"),
            ("17:15", "Chiusura e Premio #pasocial")]
    body = ('<rect width="1200" height="675" fill="#8d6e52"/>'
            '<g transform="rotate(2 600 340)"><rect x="250" y="20" width="700" height="640" '
            'fill="#fdfcf8"/>' + txt(600, 90, "#pasocial 2026 · Programma", 38, INK, True,
                                     "middle"))
    for i, (hour, title) in enumerate(rows):
        y = 160 + i * 56
        body += txt(300, y, hour, 28, "#0f5e6e", True) + txt(410, y, title, 28, INK)
    return body + "</g>"


def pic_award() -> str:
    return (f'<rect width="1200" height="675" fill="{HALL}"/><defs>{heads_pattern()}</defs>'
            '<rect x="200" y="40" width="800" height="130" rx="10" fill="#f6f3ea"/>'
            + txt(600, 100, "Premio #pasocial 2026", 48, INK, True, "middle")
            + txt(600, 148, "URP di Porto Ardesio", 32, "#0f5e6e", True, "middle")
            + '<path d="M520 220 H680 V300 Q680 390 600 400 Q520 390 520 300 Z" '
            'fill="#e0b23a"/><path d="M520 240 Q460 250 480 310 Q495 340 525 340 M680 240 '
            'Q740 250 720 310 Q705 340 675 340" fill="none" stroke="#e0b23a" '
            'stroke-width="16"/><rect x="585" y="400" width="30" height="60" fill="#c99a2a"/>'
            '<rect x="530" y="460" width="140" height="40" rx="6" fill="#8a6a1c"/>'
            '<rect y="545" width="1200" height="130" fill="url(#h)"/>')


def pic_hall_full() -> str:
    return (f'<defs>{heads_pattern("#0d121d")}</defs><rect width="1200" height="675" '
            f'fill="{HALL}"/><rect x="420" y="40" width="360" height="200" fill="#f6f3ea"/>'
            + txt(600, 160, "#pasocial", 64, "#0f5e6e", True, "middle")
            + '<rect x="0" y="250" width="1200" height="30" fill="#3a4254"/>'
            '<rect y="280" width="1200" height="395" fill="url(#h)"/>')


def pic_header() -> str:
    stripes = "".join(f'<rect x="{i * 150}" width="150" height="675" fill="{c}"/>'
                      for i, c in enumerate(("#0f5e6e", "#2e7d5b", "#e0b23a", "#d4632c",
                                             "#8e44ad", "#1185fe", "#6364ff", "#c0392b")))
    return stripes + txt(600, 370, "#pasocial", 120, "#ffffff", True, "middle")


def pic_card() -> str:
    return ('<rect width="1200" height="675" fill="#0f5e6e"/>'
            '<circle cx="1050" cy="120" r="260" fill="#2e7d5b"/>'
            + txt(80, 220, "Stati generali della", 64, "#ffffff", True)
            + txt(80, 300, "nuova comunicazione", 64, "#ffffff", True)
            + txt(80, 380, "pubblica", 64, "#ffffff", True)
            + txt(80, 500, "#pasocial 2026 · 19 novembre · Valdoria", 36, "#e0f2ef")
            + txt(80, 600, "pasocial.example", 30, "#bfe3dc"))


def pic_flood() -> str:
    houses = "".join(f'<rect x="{x}" y="250" width="150" height="170" fill="#c9b79c"/>'
                     f'<path d="M{x - 15} 255 L{x + 75} 180 L{x + 165} 255 Z" fill="#8c3b2a"/>'
                     f'<rect x="{x + 50}" y="290" width="50" height="50" fill="#3b4a5a"/>'
                     for x in (130, 380, 630))
    waves = "".join(f'<path d="M0 {y} Q75 {y - 18} 150 {y} T300 {y} T450 {y} T600 {y} T750 '
                    f'{y} T900 {y}" fill="none" stroke="#d8ecf7" stroke-width="5"/>'
                    for y in (360, 400))
    return s_title(["Pieve Lumbra, ottobre 2024"], "", 44) + (
        f'<g transform="translate(0 40)">{houses}<rect y="340" width="900" height="100" '
        f'fill="#4d7ea8" opacity="0.9"/>{waves}</g>')


def pic_timeline() -> str:
    out = txt(60, 90, "Allerta: i primi 30 minuti", 46, INK, True)
    out += '<rect x="110" y="250" width="660" height="10" fill="#c0392b"/>'
    for x, minute, label in ((110, "0′", "Allerta"), (330, "10′", "Chi decide"),
                             (560, "22′", "Primo avviso"), (770, "30′", "Aggiornamento")):
        out += f'<circle cx="{x}" cy="255" r="22" fill="#c0392b"/>'
        out += txt(x, 210, minute, 34, INK, True, "middle")
        out += txt(x, 320, label, 26, INK, False, "middle")
    return out + txt(60, 420, "Cosa succede · dove · cosa devi fare adesso", 30, "#4a5263", True)


def pic_hub() -> str:
    out = txt(60, 84, "Un solo messaggio, tutti i canali", 42, INK, True)
    spokes = ((150, 170, "Sito"), (750, 170, "Social"), (150, 400, "App"),
              (750, 400, "Radio locali"))
    for x, y, _label in spokes:
        out += f'<path d="M450 265 L{x} {y - 10}" stroke="#8a93a6" stroke-width="6"/>'
    out += '<rect x="330" y="210" width="240" height="110" rx="14" fill="#c0392b"/>'
    out += txt(450, 278, "Messaggio", 36, "#ffffff", True, "middle")
    for x, y, label in spokes:
        out += f'<rect x="{x - 100}" y="{y - 40}" width="200" height="60" rx="30" fill="#ffffff" '
        out += 'stroke="#c0392b" stroke-width="4"/>'
        out += txt(x, y - 1, label, 28, INK, True, "middle")
    return out


def pic_before_after() -> str:
    lines = "".join(f'<rect x="80" y="{150 + k * 26}" width="{330 - (k % 3) * 30}" height="12" '
                    f'fill="#9aa1ae"/>' for k in range(11))
    lines += "".join(f'<rect x="500" y="{150 + k * 40}" width="{300 - k * 40}" height="18" '
                     f'fill="#2e7d5b"/>' for k in range(4))
    return (txt(60, 84, "Prima / dopo", 46, INK, True) + lines
            + txt(80, 460, "212 parole", 36, "#7a808c", True)
            + txt(500, 460, "74 parole", 36, "#2e7d5b", True)
            + txt(500, 370, "Chiamate −40%", 40, INK, True))


# slug: (drawing, picture title, alt text the careful posters give it)
MEDIA: dict[str, tuple[str, str, str]] = {}


def media(slug: str, drawing: str, title: str, alt: str) -> None:
    MEDIA[slug] = (drawing, title, alt)


def build_media_catalogue() -> None:
    k1, k2, k3, k4 = "#0f5e6e", "#2e7d5b", "#c0392b", "#8e44ad"
    media("treno", pic_train(), "Dal finestrino del treno per Valdoria",
          "Dal finestrino di un treno regionale all'alba: colline verdi sotto un cielo rosa e, "
          "sul tavolino, un portatile aperto.")
    media("programma", pic_programme(), "Il programma stampato di #pasocial 2026",
          "Il programma stampato della giornata: apertura alle 9:30, keynote alle 10, poi i panel "
          "su social media policy, accessibilità, crisi, dati e intelligenza artificiale, le "
          "storie dai territori e la chiusura alle 17:15.")
    media("registrazione", pic_registration(), "Il banco dell'accoglienza",
          "Il banco dell'accoglienza sotto lo striscione «Accoglienza · #pasocial 2026»: due "
          "persone dello staff, i badge in fila sul tavolo e i primi partecipanti in coda.")
    media("badge", pic_badge(), "Il badge della giornata",
          "Un badge bianco appeso a un cordino verde: «#pasocial 2026 · Ciao, sono Chiara · "
          "lei/she · Comune di Castelmarino», con un codice QR per il programma.")
    media("palco-apertura", screen_only(["Stati generali della", "nuova comunicazione",
                                         "pubblica"], "#pasocial 2026 · Valdoria", k1,
                                        podium=True),
          "Il palco all'apertura dei lavori",
          "Il palco dell'auditorium: sullo schermo «Stati generali della nuova comunicazione "
          "pubblica», accanto un leggio con il conduttore e, in primo piano, le teste del "
          "pubblico in controluce.")
    media("sala", pic_hall_full(), "La sala piena",
          "La platea dell'auditorium vista dal fondo, con tutte le file occupate; sullo schermo "
          "l'hashtag #pasocial.")
    media("keynote-1", screen_only(["Il servizio pubblico", "abita nel feed"],
                                   "Giulia Ferri · Regione Lumbria", k1, podium=True),
          "Slide: Il servizio pubblico abita nel feed",
          "Slide di apertura della keynote: «Il servizio pubblico abita nel feed», Giulia Ferri, "
          "Regione Lumbria. La relatrice è al leggio, a destra dello schermo.")
    media("keynote-2", hall(s_bars("Da dove arrivano le persone sul portale",
                                   [("Social", 48, "48%"), ("Motori di ricerca", 31, "31%"),
                                    ("QR e volantini", 12, "12%"), ("Indirizzo digitato", 9, "9%")],
                                   k1), k1),
          "Slide: da dove arrivano le persone sul portale",
          "Grafico a barre «Da dove arrivano le persone sul portale»: social 48%, motori di "
          "ricerca 31%, QR e volantini 12%, indirizzo digitato 9%.")
    media("keynote-3", screen_only(["Rispondere è", "un servizio"],
                                   "Tempo medio di risposta: 3 h 12 min, anche nel weekend", k1),
          "Slide: Rispondere è un servizio",
          "Slide: «Rispondere è un servizio». Sotto: tempo medio di risposta 3 ore e 12 minuti, "
          "anche nel weekend.")
    media("palco-keynote", screen_only(["Rispondere è", "un servizio"], "", k1, far=True,
                                       podium=True),
          "La keynote vista dall'ultima fila",
          "Vista dall'ultima fila: la relatrice al leggio, piccola accanto allo schermo con la "
          "slide «Rispondere è un servizio», davanti a una sala piena.")
    media("caffe", pic_coffee(), "La pausa caffè nel foyer",
          "Un tavolo del foyer visto dall'alto con cinque tazzine di caffè sui piattini e il "
          "cartello «Pausa caffè · fino alle 11:00».")
    media("policy-1", hall(s_columns("Social media policy",
                                     ("Esterna", ["cosa aspettarsi", "orari di risposta",
                                                  "cosa moderiamo"]),
                                     ("Interna", ["chi pubblica", "chi risponde",
                                                  "profili personali"]), (k2, k1)), k2),
          "Slide: social media policy esterna e interna",
          "Slide a due colonne «Social media policy». Esterna: cosa aspettarsi, orari di "
          "risposta, cosa moderiamo. Interna: chi pubblica, chi risponde, profili personali.")
    media("policy-2", screen_only(["Moderare non è", "censurare"],
                                  "…se la regola era pubblica prima", k2),
          "Slide: Moderare non è censurare",
          "Slide con una sola frase in grande: «Moderare non è censurare». Sotto, più piccolo: "
          "«…se la regola era pubblica prima».")
    media("access-1", hall(s_list("Testo alternativo", ["Descrivi ciò che serve al post",
                                                        "Niente «immagine di»",
                                                        "Il testo nell'immagine va riscritto",
                                                        "Breve, ma completo"], k4,
                                  "Una foto, tre descrizioni diverse"), k4),
          "Slide: Testo alternativo",
          "Slide «Testo alternativo – Una foto, tre descrizioni diverse» con quattro regole: "
          "descrivi ciò che serve al post; niente «immagine di»; il testo nell'immagine va "
          "riscritto; breve, ma completo.")
    media("access-2", hall(pic_before_after(), k4), "Slide: prima e dopo la riscrittura",
          "Slide «Prima / dopo»: un avviso di 212 parole riscritto in 74, con le chiamate al call "
          "center calate del 40%.")
    media("crisi-alluvione", hall(pic_flood(), k3), "Slide: Pieve Lumbra, ottobre 2024",
          "Slide «Pieve Lumbra, ottobre 2024»: disegno di tre case con l'acqua alta fino alle "
          "finestre.")
    media("crisi-1", hall(pic_timeline(), k3), "Slide: i primi 30 minuti di un'allerta",
          "Slide «Allerta: i primi 30 minuti», una linea del tempo: allerta al minuto 0, chi "
          "decide entro il 10, primo avviso al 22, aggiornamento al 30. In fondo: cosa succede, "
          "dove, cosa devi fare adesso.")
    media("crisi-2", hall(pic_hub(), k3), "Slide: un solo messaggio, tutti i canali",
          "Slide «Un solo messaggio, tutti i canali»: un riquadro rosso «Messaggio» collegato a "
          "sito, social, app e radio locali.")
    media("buffet", pic_buffet(), "Il buffet nel chiostro",
          "Il buffet sotto i portici del chiostro: una lunga tavola con piatti di lasagne, "
          "focaccia e verdure, e due cartelli, «Senza glutine» e «Vegano».")
    media("selfie-1", pic_selfie("#pasocial 2026", "#d8e6ee",
                                 [(190, 420, "#f1c6a4", "#3b2a1d"),
                                  (410, 380, "#8d5a3b", "#17202f"),
                                  (620, 420, "#e8b894", "#a0522d"),
                                  (830, 380, "#f3d3bd", "#d9b26a"),
                                  (1030, 420, "#c98f6b", "#2b2f3a")]),
          "Selfie di gruppo davanti allo striscione",
          "Selfie di gruppo: cinque persone sorridenti, strette davanti allo striscione "
          "#pasocial 2026.")
    media("selfie-2", pic_selfie("Parchi regionali", "#cfe3c8",
                                 [(260, 430, "#f1c6a4", "#6b4f3a"),
                                  (500, 400, "#c98f6b", "#17202f"),
                                  (740, 430, "#f3d3bd", "#b5651d"),
                                  (960, 400, "#8d5a3b", "#2b2f3a")], trees=True),
          "I social media manager dei parchi regionali",
          "Quattro persone sorridenti in posa davanti a una parete con alberi disegnati e la "
          "scritta «Parchi regionali».")
    media("chiostro", pic_cloister(), "Il chiostro al sole",
          "Il chiostro al sole: archi chiari, il prato al centro e gruppetti di persone che "
          "chiacchierano con un caffè in mano.")
    media("wall", pic_wall(), "Il wall di #pasocial in sala",
          "Lo schermo della sala con il wall di #pasocial: sei riquadri con i post approvati "
          "dalla redazione, da Mastodon, Bluesky e X.")
    media("dati-1", hall(s_columns("Che cosa misuriamo?",
                                   ("Vanità", ["follower", "like", "copertura"]),
                                   ("Servizio", ["tempo di risposta", "domande risolte",
                                                 "errori corretti"]), ("#7a808c", k2)), k2),
          "Slide: metriche di vanità e metriche di servizio",
          "Slide «Che cosa misuriamo?» a due colonne. Vanità: follower, like, copertura. "
          "Servizio: tempo di risposta, domande risolte, errori corretti.")
    media("dati-2", hall(s_list("KPI che contano", ["Tempo medio di risposta",
                                                    "Domande risolte nel canale",
                                                    "Errori corretti entro 24 ore"], k2), k2),
          "Slide: KPI che contano",
          "Slide «KPI che contano» con tre voci: tempo medio di risposta, domande risolte nel "
          "canale, errori corretti entro 24 ore.")
    media("dati-3", hall(s_bars("Tasso di clic per tipo di post",
                                [("Con un'azione chiara", 4.1, "4,1%"),
                                 ("Solo informativi", 1.0, "1,0%")], k2), k2),
          "Slide: tasso di clic per tipo di post",
          "Grafico a barre «Tasso di clic per tipo di post»: 4,1% per i post con un'azione "
          "chiara, 1,0% per quelli solo informativi. Le etichette sono scritte sulle barre.")
    media("ia-1", hall(s_list("IA generativa: linee guida", ["Dichiara i testi generati",
                                                            "Revisione umana, sempre",
                                                            "Mai dati personali nei prompt"],
                              k4, "Bozza ANSD in consultazione"), k4),
          "Slide: IA generativa, linee guida",
          "Slide «IA generativa: linee guida – Bozza ANSD in consultazione» con tre punti: "
          "dichiara i testi generati; revisione umana, sempre; mai dati personali nei prompt.")
    media("ia-2", screen_only(["Chi firma", "il post?"], "", k4, podium=True),
          "Slide: Chi firma il post?",
          "Slide con una domanda in grande: «Chi firma il post?». Al leggio, a destra, la "
          "relatrice.")
    media("ia-3", hall(s_cycle("Umano nel ciclo", ["Bozza", "Revisione", "Pubblicazione",
                                                   "Ascolto"], k4), k4),
          "Slide: Umano nel ciclo",
          "Schema circolare «Umano nel ciclo»: bozza, revisione, pubblicazione, ascolto, con una "
          "persona stilizzata al centro.")
    media("territori-1", hall(s_numbers([("2.300", "abitanti"), ("4.000", "follower")],
                                        "Borgo Ventoso", k1), k1),
          "Slide: Borgo Ventoso, 2.300 abitanti e 4.000 follower",
          "Slide con due numeri enormi: 2.300 abitanti, 4.000 follower. Sotto: Borgo Ventoso.")
    media("territori-2", screen_only(["Il profilo", "dei ragazzi"],
                                     "Regola n. 1: niente adulti che fingono di essere giovani",
                                     k2),
          "Slide: il profilo dei ragazzi delle biblioteche",
          "Slide «Il profilo dei ragazzi» delle Biblioteche di Valdoria. Sotto: «Regola n. 1: "
          "niente adulti che fingono di essere giovani».")
    media("palco-territori", screen_only(["Borgo Ventoso"], "", k1, podium=True, blur=True),
          "Foto mossa del palco",
          "Foto mossa e sfocata del palco: il sindaco di Borgo Ventoso al leggio, con alle spalle "
          "la slide del suo Comune.")
    media("premio", pic_award(), "Il Premio #pasocial 2026",
          "Una coppa dorata sul palco sotto lo schermo con la scritta «Premio #pasocial 2026 · "
          "URP di Porto Ardesio».")
    media("chiusura", screen_only(["Grazie!", "Ci vediamo nel 2027"],
                                  "Porto Ardesio · novembre 2027", k1, far=True, applause=True),
          "La slide finale della giornata",
          "Lo schermo del palco con la slide finale «Grazie! Ci vediamo nel 2027 · Porto Ardesio» "
          "e la sala che applaude.")
    media("aperitivo", pic_cloister(sunset=True), "Aperitivo nel chiostro",
          "Calici sollevati nel chiostro al tramonto, con il cielo arancione dietro gli archi.")
    media("header", pic_header(), "#pasocial", "")
    media("card-pasocial", pic_card(), "Stati generali della nuova comunicazione pubblica",
          "")


def contrast_with_white(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (lum + 0.05)


def hsl(h: float, s: float, light: float) -> str:
    def f(n: int) -> int:
        k = (n + h / 30) % 12
        a = s * min(light, 1 - light)
        return round(255 * (light - a * max(-1, min(k - 3, 9 - k, 1))))

    return f"#{f(0):02x}{f(8):02x}{f(4):02x}"


def avatar_svg(person: Person, index: int) -> str:
    hue = (index * 137.508) % 360
    light = 0.46
    colour = hsl(hue, 0.58, light)
    while contrast_with_white(colour) < 4.6:
        light -= 0.02
        colour = hsl(hue, 0.58, light)
    size = 52 if len(person.initials) <= 2 else 44
    ring = ('<circle cx="64" cy="64" r="58" fill="none" stroke="#ffffff" stroke-width="4"/>'
            if person.institution else "")
    return svg(person.name, f'<circle cx="64" cy="64" r="64" fill="{colour}"/>{ring}'
               f'<text x="64" y="64" dy="0.35em" font-size="{size}" font-weight="700" '
               f'fill="#ffffff" text-anchor="middle">{escape(person.initials)}</text>',
               128, 128)


def media_url(slug: str) -> str:
    return f"{ASSETS}media/{slug}.svg"


def main_colour(slug: str) -> str:
    """The dominant colour of a picture, for its blurhash."""
    found = re.search(r'fill="(#[0-9a-f]{6})"', MEDIA[slug][0])
    return found.group(1) if found else HALL


def write_pictures() -> None:
    for folder in ("avatars", "media"):
        (STATIC_OUT / folder).mkdir(parents=True, exist_ok=True)
        for old in (STATIC_OUT / folder).glob("*.svg"):
            old.unlink()
    for slug, (drawing, title, _alt) in MEDIA.items():
        (STATIC_OUT / "media" / f"{slug}.svg").write_text(svg(title, drawing), encoding="utf-8")
    for index, person in enumerate(PEOPLE.values()):
        (STATIC_OUT / "avatars" / f"{person.slug}.svg").write_text(
            avatar_svg(person, index), encoding="utf-8")


# --------------------------------------------------------------------------------------------
# The day, as people wrote it.  @{key} is a mention (or the plain name where that person has
# no account on the platform); hashtags and links are written as they are.
# --------------------------------------------------------------------------------------------


def T(who: str, text: str, **options) -> dict:
    """A post. Options: plat, key, img ("slug", "!slug" = without alt text, or a list),
    reply (key), quote (key), cw, expect, long (an X note tweet), card, edited."""
    return {"who": who, "text": text, **options}


def BOOST(who: str, key: str) -> dict:
    """A boost / repost / retweet of an earlier post, on that post's platform."""
    return {"who": who, "boost": key}


def DUP(key: str, plat: str) -> dict:
    """The same author cross-posting the same text (and pictures) on another platform."""
    return {"dup": key, "plat": plat}


def AGAIN(key: str) -> dict:
    """An X search page that returns an already-seen tweet again."""
    return {"again": key}


SEGMENTS: list[tuple[str, str, list[dict]]] = [
    ("11-17 10:30", "11-17 11:00", [
        T("pasocial", "Mancano due giorni! Giovedì 19 novembre, all'Auditorium Santa Chiara di "
          "Valdoria, tornano gli Stati generali della nuova comunicazione pubblica. Programma e "
          "diretta: https://pasocial.example/2026 #pasocial #PAsocial2026", plat="x",
          img="programma"),
    ]),
    ("11-18 09:30", "11-18 23:30", [
        T("pasocial", "Domani si parla di social media policy, accessibilità, crisi, dati e "
          "intelligenza artificiale: nove sessioni, ventisei voci dalla PA. Seguite la giornata "
          "con #pasocial 📣", plat="mastodon"),
        T("comune_vd", "Giovedì 19 novembre, dalle 7 alle 20, divieto di sosta in via Santa Chiara "
          "per gli Stati generali della comunicazione pubblica. Le linee 4 e 11 saranno deviate "
          "su viale dei Tigli. Tutti i dettagli: "
          "https://www.comune-valdoria.example/notizie/viabilita-santa-chiara #pasocial",
          plat="bluesky"),
        T("pasocial", "Una richiesta per domani: se pubblicate le foto delle slide, aggiungete il "
          "testo alternativo. Lo ricorderemo anche dal palco, ma intanto ve lo chiediamo qui 🙂 "
          "#pasocial #accessibilità", plat="bluesky"),
        T("riva", "Domani la Regione racconta #pasocial in diretta, con una sintesi in linguaggio "
          "chiaro di ogni panel. Niente post programmati: solo cose vere, scritte in sala. "
          "#comunicazionepubblica", plat="x"),
        T("cattaneo", "Per chi domani segue #pasocial dal fediverso: l'hashtag funziona anche da "
          "qui. Seguitelo e vi arrivano i post da tutte le istanze, in ordine cronologico, senza "
          "algoritmo 😌"),
        T("fabbri", "Domani il mio primo #pasocial da studentessa del master: prendo appunti per "
          "la tesi sulla comunicazione di crisi. Consigli per sopravvivere a una giornata intera "
          "di panel? ☕", plat="bluesky", key="fabbri_consigli"),
        T("conti", "Scarpe comode, borraccia e nessuna paura di fare domande. Ci vediamo "
          "all'accoglienza! 👋", reply="fabbri_consigli"),
        T("monti", "Anch'io al primo anno avevo la stessa ansia! Aggiungo: un caricabatterie e un "
          "quaderno vero. Le idee migliori arrivano a penna ✍️", reply="fabbri_consigli"),
        T("esposito", "Valigia fatta, badge stampato, powerbank carico. Domani racconto #pasocial "
          "in diretta: se vedete quaranta post in un'ora, sono io. Perdonatemi in anticipo 😅",
          plat="x"),
    ]),
    ("06:55", "08:50", [
        T("orlando", "Treno delle 7:12 per Valdoria pieno di badge e di portatili aperti. Direi "
          "che siamo in tanti ad andare a #pasocial 🚆", plat="mastodon", img="!treno"),
        T("ferri", "Ultima prova delle slide alle sette del mattino, con il caffè della stazione. "
          "Ci vediamo alle 10 🙂 #pasocial", plat="bluesky"),
        T("gentile", "Sveglia alle 6, ma per #pasocial ne vale la pena. In macchina con due "
          "colleghe dell'URP abbiamo già litigato su quale sia il modulo più incomprensibile "
          "della Regione. Ha vinto quello per il contrassegno disabili, purtroppo."),
        T("pasocial", "Buongiorno! Le porte dell'Auditorium Santa Chiara aprono alle 9. Diretta, "
          "programma e materiali di oggi: https://pasocial.example/2026/diretta #pasocial "
          "#PAsocial2026", plat="bluesky", card="diretta"),
    ]),
    ("09:00", "09:30", [
        T("pasocial", "Porte aperte! L'accoglienza è al piano terra, il guardaroba a sinistra e "
          "il caffè… lo trovate seguendo la fila 😄 Wi-Fi: PASOCIAL-OSPITI, la password è sul "
          "retro del badge. #pasocial", plat="mastodon", img="registrazione"),
        T("esposito", "Registrata ✅ Il badge quest'anno ha il QR con il programma e lo spazio "
          "per scrivere i pronomi. Piccole cose che dicono molto. #pasocial", plat="x",
          img="badge"),
        T("santoro", "Ritrovare le persone che leggi tutto l'anno e finalmente abbracciarle dal "
          "vivo: è il vero motivo per cui vengo a #pasocial ❤️", plat="bluesky",
          key="santoro_abbracci"),
        T("monti", "Dal Parco regionale dei Colli Lumbri a #pasocial: oggi imparo, domani lo "
          "racconto agli scoiattoli, che sono i nostri follower più fedeli 🐿️"),
        T("villa", "Caffè, badge e posto in terza fila con la presa elettrica vicina. La giornata "
          "comincia bene. #pasocial"),
        DUP("santoro_abbracci", "mastodon"),
        T("barbieri", "Dal Comune di Borgo Ventoso (2.300 abitanti) siamo venuti in due: metà "
          "dell'ufficio comunicazione 😂 #pasocial"),
        T("neri", "Prima cosa che ho notato: la segnaletica in sala ha frecce, pittogrammi e "
          "testo in braille. Chi l'ha progettata merita un applauso. #pasocial #accessibilità",
          plat="bluesky"),
        T("ricci", "Sono un insegnante, non lavoro nella PA, ma mi hanno detto che chiunque può "
          "venire. Eccomi. Curioso di capire perché il sito della mia scuola è fatto così 🙃 "
          "#pasocial", key="ricci_arrivo"),
        T("cattaneo", "Benvenuto! Spoiler: spesso non è colpa di chi ci lavora, ma di contratti e "
          "piattaforme scelti dieci anni fa. Oggi se ne parla 😉", reply="ricci_arrivo"),
        T("dangelo", "Sala che si riempie: tanti volti noti e tantissimi nuovi. Bello vedere così "
          "tanti under 30 nella comunicazione pubblica 💙 #pasocial"),
        T("costa", "Prima volta a #pasocial. Mi hanno detto di portare il caricabatterie e le "
          "domande scomode. Ho entrambi."),
        T("spam_coin", "🔥 NUOVO TOKEN $PACOIN in prevendita! x100 garantito entro Natale, non "
          "restare indietro 🚀🚀 #pasocial #crypto https://pacoin.example/airdrop",
          expect="reject:spam"),
        T("pasocial", "Alle 9:30 apertura dei lavori con @{bassani} ed @{sartori}. Chi non è in "
          "sala trova la diretta sottotitolata su https://pasocial.example/2026/diretta "
          "#pasocial", plat="x"),
    ]),
    ("09:30", "10:00", [
        T("pasocial", "Si comincia! @{rinaldi} apre gli Stati generali della nuova comunicazione "
          "pubblica 2026. Sala piena: seguite con #pasocial", plat="x", img="palco-apertura"),
        T("esposito", "«Un cittadino che ci scrive su un social sta esercitando un diritto, non ci "
          "sta facendo un favore». @{bassani} apre così #pasocial", plat="x", key="esp_bassani"),
        T("gentile", "@{bassani}: «Dieci anni fa ci chiedevano se la PA dovesse stare sui social. "
          "Oggi la domanda è come ci sta». #pasocial"),
        BOOST("pasocial", "esp_bassani"),
        T("orlando", "L'assessora @{sartori}: «Il primo servizio digitale di un Comune è la "
          "risposta a un messaggio arrivato alle 22 di domenica». Applauso spontaneo. #pasocial",
          plat="bluesky"),
        T("dangelo", "Sartori annuncia che da gennaio il Comune di Valdoria pubblicherà ogni mese "
          "i tempi medi di risposta sui social. Trasparenza vera, non a parole 👏 #pasocial",
          plat="x"),
        T("barbieri", "Il dato citato da @{bassani}: il 71% degli enti ha un profilo social, solo "
          "il 38% ha una social media policy pubblicata. C'è lavoro da fare. #pasocial "
          "#socialmediapolicy"),
        T("santoro", "Bell'inizio: niente saluti istituzionali da venti minuti, tre interventi "
          "brevi e si parte. Anche questo è rispetto per chi ascolta 😄 #pasocial",
          plat="bluesky"),
        T("comune_vd", "Benvenute e benvenuti a Valdoria! Oggi siamo la capitale della "
          "comunicazione pubblica. La nostra assessora @{sartori} ha aperto i lavori: seguite la "
          "giornata con #pasocial", plat="mastodon", img="!sala"),
        T("ricci", "Prima impressione da esterno: qui si parla dei cittadini come persone, non "
          "come «utenza». Promettente. #pasocial"),
        T("monti", "@{rinaldi} chiede alla sala chi gestisce i social da solo o da sola nel "
          "proprio ente. Si alzano metà delle mani. Ecco, il tema è questo. #pasocial",
          plat="bluesky"),
        T("russo", "Appunto della mattina: «La comunicazione pubblica non è marketing con lo "
          "stemma dell'ente». Me lo stampo. #pasocial"),
        BOOST("bruno", "esp_bassani"),
        T("pace", "Orgoglioso che Valdoria ospiti #pasocial. Grazie alla Rete dei Comunicatori "
          "Pubblici e allo staff che da settimane prepara questa giornata 👏"),
        T("fabbri", "Appunto n. 1 della giornata: la comunicazione pubblica è un servizio, non "
          "una vetrina. Sottolineato due volte. #pasocial #comunicazionepubblica", plat="x"),
    ]),
    ("10:00", "10:46", [
        T("pasocial", "Keynote! @{ferri}, responsabile della comunicazione digitale della "
          "Regione Lumbria: «Il servizio pubblico abita nel feed». #pasocial", plat="mastodon",
          img="keynote-1", key="pas_keynote"),
        T("esposito", "«Il sito istituzionale non è più la porta d'ingresso. La porta d'ingresso "
          "è il post che qualcuno ha inoltrato nel gruppo WhatsApp del condominio» @{ferri} "
          "#pasocial", plat="x", key="esp_porta"),
        T("gentile", "@{ferri} mostra da dove arrivano le persone sul portale della Regione: 48% "
          "dai social, 31% dai motori di ricerca, 9% digitando l'indirizzo. Il resto? Dai "
          "volantini con il QR in farmacia. #pasocial", img="keynote-2", key="gentile_dati",
          edited=True),
        T("orlando", "Ferri: «Rispondere è un servizio. Anche non rispondere è una forma di "
          "comunicazione, solo che è pessima». #pasocial", plat="bluesky", key="orl_rispondere"),
        BOOST("conti", "pas_keynote"),
        T("dangelo", "La slide che stanno fotografando tutti 📸 #pasocial", plat="bluesky",
          img="!keynote-3", key="dangelo_slide"),
        BOOST("fabbri", "orl_rispondere"),
        T("villa", "«Un post istituzionale deve funzionare anche letto da solo: senza il "
          "comunicato, senza il contesto, senza di noi» @{ferri} #pasocial"),
        T("neri", "Le aggiungeresti il testo alternativo? Per chi usa un lettore di schermo "
          "adesso è un rettangolo vuoto 🙏", reply="dangelo_slide", key="neri_alt"),
        T("fabbri", "Sto riempiendo il quaderno. La keynote di @{ferri} è densissima: dati, casi "
          "concreti e zero retorica. #pasocial", plat="bluesky"),
        T("dangelo", "Hai ragione, scusa! Dice: «Rispondere è un servizio. Tempo medio di "
          "risposta della Regione: 3 ore e 12 minuti». La prossima la pubblico con la "
          "descrizione, promesso.", reply="neri_alt"),
        T("santoro", "E aggiungerei: rispondere bene costa meno che rimediare dopo. #pasocial",
          quote="orl_rispondere"),
        T("russo", "Il passaggio sui commenti negativi è da manuale: «Non si risponde per "
          "vincere, si risponde per chi leggerà dopo». #pasocial"),
        T("spam_trading", "🚀💰 Guadagna 5000€ al mese da casa con il trading automatico! Posti "
          "limitati, scrivimi in DM 👉 https://soldi-facili.example/pa #pasocial "
          "#comunicazionepubblica", expect="reject:spam"),
        T("costa", "Ferri: il 60% dei messaggi privati alla Regione riguarda tre temi (bollo "
          "auto, liste d'attesa e bandi). «Se lo sai, prepari le risposte prima che arrivino le "
          "domande». #pasocial"),
        T("monti", "«Le FAQ non sono una pagina del sito: sono il lavoro che fai ogni giorno nei "
          "commenti» 💡 #pasocial", plat="mastodon"),
        T("riva", "La mia responsabile sul palco, io in ultima fila a gestire i commenti in "
          "diretta. La comunicazione pubblica in una foto. #pasocial", plat="x",
          img="palco-keynote"),
        T("bruno", "Ferri racconta la notte dell'allerta neve del 2025: 1.400 messaggi in sei "
          "ore, nessuno rimasto senza risposta. In sala c'è chi si commuove. #pasocial",
          plat="mastodon"),
        T("cattaneo", "Ottimo che @{ferri} citi Mastodon tra i canali istituzionali della "
          "Regione. Esserci anche dove non c'è un algoritmo da inseguire è una scelta politica, "
          "nel senso migliore. #pasocial #fediverso"),
        T("neri", "«Scrivete come parlereste a vostra zia al telefono. Se vostra zia è avvocata, "
          "come parlereste a un'altra zia» 😂 @{ferri} #pasocial", plat="bluesky"),
        T("esposito", "Ferri: «Il tono istituzionale non è un tono freddo. È il tono di chi si "
          "prende la responsabilità di quello che dice». #pasocial", plat="mastodon"),
        T("ricci", "Domanda da insegnante: nelle scuole chi gestisce i social? Di solito un "
          "docente volontario, senza formazione e senza ore. @{ferri} ha appena detto che è un "
          "mestiere. Ecco. #pasocial", key="ricci_scuole"),
        T("pace", "Le tre cose che @{ferri} chiede alla sua squadra: esattezza, tempestività, "
          "gentilezza. Nell'ordine. #pasocial"),
        T("galli", "È esattamente così anche in tanti piccoli Comuni. Nel pomeriggio ne parliamo "
          "con le storie dai territori: resta!", reply="ricci_scuole", key="galli_resta"),
        T("leone", "Mi porto a casa questa definizione: «La comunicazione pubblica è l'ultimo "
          "miglio della pubblica amministrazione». #pasocial"),
        T("ricci", "Resto, resto. Ho anche preso il secondo caffè 😄", reply="galli_resta"),
        T("orlando", "Thread dalla keynote di Giulia Ferri a #pasocial 🧵\n\n1/ I dati: il 48% di "
          "chi visita il portale regionale arriva dai social. Il post è la nuova home page.",
          plat="mastodon", key="orl_t1"),
        T("orlando", "2/ Il caso: l'allerta neve del 2025. Turni, risposte preparate in anticipo, "
          "un unico messaggio ufficiale ripreso da tutti i canali. Risultato: nessuna voce falsa "
          "è sopravvissuta più di un'ora.", reply="orl_t1", key="orl_t2"),
        T("orlando", "3/ Il metodo: ascoltare, preparare, rispondere. E misurare il tempo di "
          "risposta, non i like. Fine 🧵 #pasocial", reply="orl_t2"),
        T("regione", "«Il servizio pubblico abita nel feed»: la keynote della nostra @{ferri} a "
          "#pasocial. Le slide saranno online in giornata qui: "
          "https://www.regione-lumbria.example/comunicazione/pasocial-2026", plat="x",
          key="reg_keynote"),
        BOOST("riva", "reg_keynote"),
        T("rinaldi", "La domanda più applaudita per @{ferri}: «E quando il dirigente vuole il "
          "post con la sua foto?». Risposta: «Gli mostri i dati. Poi gli mostri di nuovo i "
          "dati» 😄 #pasocial", plat="x"),
        T("barbieri", "Per un Comune piccolo i numeri di una Regione sembrano un altro pianeta, "
          "ma il metodo vale anche per noi. Grazie @{ferri}! #pasocial"),
        T("costa", "Questa andrebbe appesa in ogni ufficio stampa. #pasocial", quote="esp_porta"),
        T("villa", "Q&A dopo la keynote: tre domande, tre risposte brevi, zero «più che una "
          "domanda è una considerazione». Miracolo 🙌 #pasocial"),
        BOOST("ansd", "gentile_dati"),
        T("monti", "Ferri chiude tra gli applausi. Keynote da rivedere: appena escono le "
          "registrazioni la giro a tutto l'ufficio. #pasocial", plat="bluesky"),
        T("esposito", "Tre cose che mi porto via dalla keynote di @{ferri} a #pasocial:\n\n"
          "1. Quasi metà di chi arriva sul portale della Regione ci arriva da un post: il feed è "
          "la nuova home page.\n2. Rispondere è un servizio: 3 ore e 12 minuti di tempo medio, "
          "anche nel weekend, con una squadra di quattro persone.\n3. Le FAQ si scrivono nei "
          "commenti, ogni giorno: se sai cosa ti chiederanno, prepari le risposte prima.\n\n"
          "Le slide arrivano in giornata 👇 "
          "https://www.regione-lumbria.example/comunicazione/pasocial-2026", plat="x", long=True),
    ]),
    ("10:46", "11:00", [
        T("pasocial", "Pausa caffè fino alle 11. Nel foyer c'è lo spazio «Chiedi a chi l'ha già "
          "fatto»: colleghe e colleghi rispondono a domande su policy, accessibilità e strumenti. "
          "#pasocial", plat="bluesky"),
        T("esposito", "La fila al caffè è il miglior networking della giornata ☕ Ho già "
          "scambiato due contatti e una ricetta. #pasocial", plat="mastodon", img="caffe"),
        T("villa", "Il caffè è buono, i biscotti sono finiti in quattro minuti. La PA sa essere "
          "efficientissima, quando vuole 🍪 #pasocial"),
        T("ot_calcio", "Forza Valdoria!!! ⚽️ Domenica tutti allo stadio, questa è la volta buona "
          "per la promozione 💙💛 #pasocial #ForzaValdoria", expect="reject:off_topic"),
        T("ricci", "Ho appena scoperto che la persona accanto a me in fila gestisce i social di "
          "un'ASL e ha risposto ai messaggi per tutta la notte dell'alluvione. Rispetto enorme. "
          "#pasocial"),
        AGAIN("esp_porta"),
        T("costa", "Caffè & networking: la sezione non ufficiale del programma, quella in cui ci "
          "si scambiano i modelli di delibera. #pasocial"),
        T("leone", "Allo spazio «Chiedi a chi l'ha già fatto» c'è la coda. Segno che ne avevamo "
          "bisogno più dei gadget 😄 #pasocial"),
    ]),
    ("11:00", "11:50", [
        T("pasocial", "Panel «Social media policy negli enti» con @{galli}, @{lodi} e "
          "@{benedetti}. Modera @{conti}. #pasocial #socialmediapolicy", plat="mastodon",
          img="policy-1"),
        T("esposito", "@{galli}: «La policy esterna dice ai cittadini cosa possono aspettarsi da "
          "noi. Quella interna dice a noi cosa possiamo fare alle 23 senza chiamare il "
          "dirigente». #pasocial", plat="x"),
        T("gentile", "Lodi scioglie un equivoco frequente: nascondere un commento offensivo non è "
          "censura, se la regola era pubblica prima. La trasparenza sta nella policy, non nel "
          "lasciare tutto lì. #pasocial"),
        T("orlando", "@{lodi}: «Un ente non può bloccare chi lo critica. Può, e deve, moderare "
          "chi insulta, minaccia o diffonde dati personali». Differenza sottile, ma è tutta lì. "
          "#pasocial", plat="bluesky"),
        T("villa", "@{benedetti} racconta la policy della Provincia di Serralta: una pagina, "
          "dodici regole, scritte insieme ai cittadini in un laboratorio aperto. E la gente la "
          "legge davvero. #pasocial"),
        T("barbieri", "Nota pratica di @{galli}: la policy va linkata nella bio di ogni profilo. "
          "Se devo cercarla, non esiste. Appena torno sistemo la nostra 😬 #pasocial"),
        T("monti", "«Moderare non è censurare», dice la slide. La fotografo per il mio "
          "dirigente, che la stamperà e la appenderà. O almeno spero. #pasocial", plat="bluesky",
          img="policy-2"),
        T("russo", "Domanda dalla sala: come si gestisce un commento che contiene dati sanitari "
          "di una persona? Lodi: «Lo nascondi subito, contatti la persona in privato, spieghi "
          "pubblicamente perché». Chiaro. #pasocial"),
        T("cattaneo", "Interessante il punto sui profili personali dei dipendenti: la policy "
          "interna non può vietare di avere opinioni, può chiedere di non parlare a nome "
          "dell'ente. Sembra ovvio, non lo è. #pasocial"),
        T("costa", "Benedetti: «Se la policy la scrive solo l'ufficio legale, la leggerà solo "
          "l'ufficio legale» 😂 #pasocial"),
        T("ins_m", "Un'altra giornata di chiacchiere pagata con i nostri soldi. Siete dei "
          "parassiti strapagati, vergognatevi. #pasocial", expect="reject:insult"),
        T("galli", "Le slide del mio intervento sulla social media policy del Comune di "
          "Valdoria, con il modello da copiare (licenza CC BY 4.0: copiatelo davvero!) 👉 "
          "https://www.comune-valdoria.example/pasocial/policy #pasocial #socialmediapolicy",
          plat="mastodon", key="galli_slide"),
        BOOST("comune_vd", "galli_slide"),
        T("dangelo", "Tre tipi di commento che per @{lodi} si possono nascondere senza esitare: "
          "insulti, dati personali altrui, spam. Tutto il resto si discute, anche quando fa "
          "male. #pasocial", plat="x"),
        BOOST("esposito", "galli_slide"),
        T("bruno", "Grazie! La adattiamo per Serralta e ti facciamo sapere com'è andata.",
          reply="galli_slide", key="bruno_policy"),
        T("fabbri", "Quello che mi ha colpito del panel sulle policy: nessuno ha parlato di "
          "«difendere l'immagine dell'ente». Tutti di proteggere le persone che scrivono. Cambio "
          "di prospettiva enorme. #pasocial", plat="bluesky"),
        T("galli", "Fatemi sapere! E se trovate errori la correggiamo insieme: è una policy, non "
          "le tavole della legge 😄", reply="bruno_policy"),
        T("cattaneo", "Una policy con licenza aperta: così si fa. Se ogni Comune la riscrive da "
          "zero, sprechiamo il tempo di tutti. #pasocial", quote="galli_slide"),
        T("santoro", "@{conti} modera con i tempi di un cronometrista svizzero: domande brevi, "
          "risposte brevi, nessun monologo. Si può fare! ⏱️ #pasocial", plat="bluesky"),
        T("leone", "«Nella policy scrivete anche gli orari in cui rispondete. Le persone non "
          "pretendono una risposta alle tre di notte: vogliono sapere quando arriverà». "
          "#pasocial"),
        T("pace", "A Valdoria la policy interna l'hanno firmata il sindaco e tutta la giunta. "
          "Non è burocrazia: è una garanzia per chi lavora nell'ufficio comunicazione. "
          "#pasocial"),
        T("neri", "Nota da UX writer: nelle policy si legge spesso «L'Ente si riserva la facoltà "
          "di». Provate con «Possiamo». Stesso significato, metà delle parole. #pasocial "
          "#linguaggiochiaro", plat="mastodon"),
        T("lodi", "Grazie per le tante domande su critica e moderazione! Riassumo in una riga: "
          "si modera il comportamento, mai l'opinione. E la regola si scrive prima, non dopo. "
          "#pasocial #socialmediapolicy", plat="bluesky"),
        T("benedetti", "Grazie a chi ha partecipato al panel! La policy della Provincia, scritta "
          "insieme ai cittadini, è qui: https://www.provincia-serralta.example/social-policy "
          "Commenti e critiche sono benvenuti (nei limiti della policy, ovviamente 😉) "
          "#pasocial"),
    ]),
    ("11:50", "12:40", [
        T("vitale", "Tra poco parlo di testo alternativo a #pasocial. Per chi segue da remoto: le "
          "slide hanno già le descrizioni, le trovate qui 👉 "
          "https://www.ansd.example/accessibilita/slide-pasocial-2026 #accessibilità",
          plat="mastodon", key="vitale_slide"),
        DUP("vitale_slide", "bluesky"),
        T("pasocial", "Ora «Accessibilità e linguaggio chiaro» con @{vitale}, @{fontana}, "
          "@{greco} e @{marchetti}. Ricordate: ogni immagine che pubblicate ha bisogno del suo "
          "testo alternativo 😉 #pasocial #accessibilità", plat="bluesky"),
        T("esposito", "«Il testo alternativo non descrive l'immagine: descrive quello che "
          "l'immagine vuole dire» @{vitale} #pasocial #accessibilità", plat="x"),
        T("gentile", "Marta Vitale mostra la stessa foto con tre testi alternativi diversi, a "
          "seconda del post in cui compare. Lezione semplicissima e illuminante. #pasocial "
          "#accessibilità", img="access-1"),
        T("neri", "Vitale: «Non scrivete “immagine di”: il lettore di schermo lo dice già». Se "
          "l'avessi saputo cinque anni fa… #pasocial #accessibilità", plat="bluesky"),
        T("villa", "@{fontana} mostra un avviso dell'ENPL prima e dopo la riscrittura: da 212 a "
          "74 parole, e le chiamate al call center sullo stesso tema calano del 40%. Il "
          "linguaggio chiaro fa anche risparmiare. #pasocial", img="access-2"),
        T("dangelo", "Sara Greco: «“Si comunica che” non comunica niente. Cominciate da quello "
          "che la persona deve fare». #pasocial #linguaggiochiaro", plat="bluesky"),
        T("orlando", "@{marchetti} parla in LIS e l'interprete traduce a voce per noi udenti. Per "
          "quaranta minuti i ruoli si invertono. Momento potentissimo. #pasocial #accessibilità",
          plat="mastodon"),
        T("monti", "Marchetti: «Un video senza sottotitoli, per me, è un post vuoto con una bella "
          "copertina». La sala ammutolisce. #pasocial", plat="bluesky"),
        T("russo", "Mi segno la regola di @{greco}: una frase, un'informazione. Se ti serve una "
          "virgola in più, forse ti serve una frase in più. #pasocial"),
        T("fabbri", "Appunto per la tesi: gli hashtag con le iniziali maiuscole "
          "(#ComunicazionePubblica, non #comunicazionepubblica) si leggono meglio con i lettori "
          "di schermo. Correggo da subito. #pasocial", plat="x"),
        T("ricci", "Mi sento chiamato in causa: le circolari della mia scuola cominciano tutte "
          "con «Si porta a conoscenza delle SS.LL.». Domani propongo una riscrittura. #pasocial "
          "#linguaggiochiaro", key="ricci_circolari"),
        T("spam_boost", "Vuoi 10.000 follower veri in 48 ore? Pacchetti per enti e aziende da "
          "9,99€ ✅ Pagamento sicuro, risultati garantiti. #pasocial #socialmedia "
          "https://follower-boost.example/pa", expect="reject:spam"),
        T("greco", "Mandamene una, la usiamo come esercizio al corso di linguistica! "
          "(Anonimizzata, promesso 😄)", reply="ricci_circolari", key="greco_circ"),
        T("costa", "Fontana: «Le emoji vanno bene, ma non al posto delle parole. E mai più di tre "
          "di fila: il lettore di schermo le legge tutte». 🙈🙉🙊 (ops) #pasocial"),
        T("ricci", "Affare fatto. Ne ho una di due pagine sull'uso della fotocopiatrice.",
          reply="greco_circ"),
        T("cattaneo", "Consiglio tecnico emerso in sala: molte app per Mastodon possono avvisarti "
          "se stai pubblicando un'immagine senza testo alternativo. Su un profilo istituzionale "
          "quell'avviso lo attiverei ieri. #pasocial #accessibilità"),
        T("leone", "Vitale chiede alla sala chi aggiunge sempre il testo alternativo. Mani "
          "alzate: una ventina su trecento. A fine panel lo promettono tutti. Vediamo domani 😇 "
          "#pasocial"),
        T("santoro", "«L'accessibilità non è una funzione da aggiungere alla fine. È il modo in "
          "cui progetti fin dall'inizio» 🎯 #pasocial #accessibilità", plat="bluesky"),
        T("barbieri", "Da Comune piccolo: per noi il linguaggio chiaro non è una scelta di stile, "
          "è l'unico modo di farci capire da una popolazione con un'età media di 56 anni. "
          "#pasocial"),
        T("ansd", "Oggi a #pasocial la nostra @{vitale} presenta la checklist per l'accessibilità "
          "dei contenuti social della PA. È qui, in formato accessibile (ovviamente): "
          "https://www.ansd.example/checklist-social #accessibilità", plat="mastodon",
          key="ansd_checklist"),
        BOOST("vitale", "ansd_checklist"),
        T("bruno", "Il momento in cui ti accorgi che tutte le card pubblicate nell'ultimo anno "
          "erano testo dentro un'immagine, senza descrizione 🫠 #pasocial #accessibilità",
          plat="mastodon", key="bruno_card"),
        BOOST("santoro", "ansd_checklist"),
        T("vitale", "Succede a tutti! Si comincia dalla prossima. E per quelle vecchie, partite "
          "dalle più viste 😉", reply="bruno_card"),
        T("marchetti", "Grazie a chi oggi ha ascoltato con gli occhi. E grazie a Valeria, la mia "
          "interprete, senza la quale metà della sala avrebbe visto solo un signore che muove le "
          "mani 😄 #pasocial #LIS", plat="bluesky"),
        T("fontana", "Le slide del prima e dopo, con i testi originali e le riscritture: "
          "https://www.enpl.example/linguaggio-chiaro/pasocial-2026 Usatele, modificatele, "
          "miglioratele. #pasocial #linguaggiochiaro", plat="x"),
    ]),
    ("12:40", "13:30", [
        T("pasocial", "«Crisi e comunicazione d'emergenza»: sul palco @{longo} (Protezione civile "
          "Lumbria), @{caruso} (ASL Monteverde) e @{guerrieri} (Polizia locale di Valdoria). "
          "Modera @{rinaldi}. #pasocial", plat="x"),
        T("esposito", "@{longo}: «In emergenza la prima mezz'ora decide tutto. Se non parli tu, "
          "parla qualcun altro. E di solito sbaglia». #pasocial", plat="x"),
        T("orlando", "Longo mostra le foto dell'alluvione di Pieve Lumbra dell'ottobre 2024 e la "
          "sequenza dei messaggi inviati ora per ora. Il primo avviso è partito 22 minuti dopo "
          "l'allerta. #pasocial", plat="mastodon", img="crisi-alluvione",
          cw="Alluvione del 2024: immagini di danni"),
        T("gentile", "La slide più fotografata del panel: «Un solo messaggio, tutti i canali». "
          "Stesso testo su sito, social, app e radio locali, aggiornato sempre nello stesso "
          "punto. #pasocial", img="crisi-2"),
        T("russo", "@{caruso} racconta i giorni della carenza di farmaci del 2025: «Abbiamo "
          "smesso di inseguire le singole voci false e pubblicato ogni mattina alle 9 cosa era "
          "vero. Le persone aspettavano quell'appuntamento». #pasocial", key="russo_caruso"),
        T("monti", "@{guerrieri}: «Durante la neve abbiamo risposto a trecento persone con la "
          "stessa frase. Nessuno si è lamentato della ripetizione: le persone si lamentano "
          "quando le risposte cambiano». #pasocial", plat="bluesky"),
        T("villa", "@{caruso}: «Il debunking ha senso se arriva prima della bufala. Dopo è solo "
          "inseguimento». #pasocial"),
        T("fabbri", "Il panel sulla crisi è esattamente l'argomento della mia tesi e sto "
          "scrivendo così veloce che non capisco più la mia grafia ✍️ #pasocial",
          plat="bluesky", key="fabbri_tesi"),
        T("costa", "@{rinaldi} chiede chi decide cosa si pubblica durante un'emergenza. Longo: "
          "«Una persona sola, con nome e cognome, e tutti lo sanno prima che serva». #pasocial"),
        T("dangelo", "Mi segno le tre regole della Protezione civile per i messaggi di allerta: "
          "cosa succede, dove, cosa devi fare adesso. Tutto il resto viene dopo. #pasocial",
          plat="x", img="crisi-1"),
        T("santoro", "Un appuntamento fisso alle 9 è fiducia che si costruisce giorno dopo "
          "giorno. Vale anche fuori dalle emergenze. #pasocial", quote="russo_caruso"),
        BOOST("caruso", "russo_caruso"),
        T("neri", "Caruso: in emergenza niente ironia, niente meme, niente «simpatia "
          "istituzionale». Ma neanche burocratese: servono frasi che si capiscono al primo colpo, "
          "anche sotto stress. #pasocial", plat="mastodon"),
        T("cattaneo", "La domanda che avrei voluto fare: cosa succede se il social network va giù "
          "proprio durante l'emergenza? Un canale che controlli tu (sito, Mastodon, RSS) serve "
          "esattamente a questo. #pasocial", key="catt_canale"),
        T("protciv", "Per le allerte meteo fate sempre riferimento alle fonti ufficiali. La mappa "
          "aggiornata delle allerte in Lumbria è qui: "
          "https://protezionecivile.regione-lumbria.example/allerte #pasocial #allertameteo",
          plat="x", key="protciv_mappa"),
        T("gentile", "Longo l'ha detto rispondendo a un'altra domanda: il sito regionale ha una "
          "pagina «emergenza» leggerissima, che regge anche migliaia di accessi. E ha pure il "
          "feed RSS!", reply="catt_canale"),
        BOOST("longo", "protciv_mappa"),
        T("ricci", "Questo panel andrebbe fatto ascoltare anche ai gruppi WhatsApp dei genitori. "
          "Soprattutto a chi inoltra gli audio «di un amico che lavora in Comune». #pasocial"),
        T("marras", "Bello tutto, ma durante l'alluvione il sito del mio Comune era giù e le "
          "uniche notizie arrivavano dai gruppi Facebook. Spero che da oggi qualcuno prenda "
          "appunti sul serio. #pasocial", key="marras_sito"),
        T("longo", "Ha ragione, ed è uno dei punti del protocollo: se il sito cade, le "
          "informazioni devono restare raggiungibili da altri canali, radio locali comprese. Mi "
          "scriva il nome del suo Comune, ne parliamo con i colleghi.", reply="marras_sito",
          key="longo_marras"),
        T("pace", "@{guerrieri} ricorda che la Polizia locale è spesso il primo account a cui i "
          "cittadini scrivono quando qualcosa va storto. Anche alle 3 di notte. Grazie a chi "
          "c'è. #pasocial"),
        T("asl", "Al panel sulla crisi la nostra @{caruso} ha presentato il protocollo dell'ASL "
          "per la comunicazione nelle emergenze sanitarie. Il documento completo: "
          "https://www.asl-monteverde.example/comunicazione/protocollo-emergenze #pasocial",
          plat="x", key="asl_protocollo"),
        T("bruno", "Pensavo di sapere già tutto sulla comunicazione di crisi. Poi Longo ha "
          "mostrato il registro dei messaggi dell'alluvione, minuto per minuto, con gli errori "
          "evidenziati in rosso. Coraggio e onestà. #pasocial", plat="x"),
        T("guerrieri", "Grazie a tutte e tutti per l'ascolto. E un promemoria che vale sempre: per "
          "le emergenze si chiama il 112, non si scrive sui social 🙂 #pasocial"),
        T("marras", "Grazie, le scrivo in privato. Non capita spesso che un ente risponda così, "
          "e in pubblico.", reply="longo_marras"),
    ]),
    ("13:30", "14:30", [
        T("pasocial", "Pausa pranzo fino alle 14:30 🍝 Il buffet è nel chiostro, con un tavolo "
          "senza glutine e uno vegano (etichettati, ovviamente in linguaggio chiaro). #pasocial",
          plat="mastodon", img="buffet"),
        T("esposito", "Selfie di rito con colleghe e colleghi di mezza Lumbria 🤳 #pasocial "
          "#PAsocial2026", plat="x", img="!selfie-1"),
        T("caruso", "Se ti servono dati per la tesi scrivimi, volentieri! In bocca al lupo 🍀",
          reply="fabbri_tesi", key="caruso_tesi"),
        T("monti", "Foto di gruppo dei social media manager dei parchi regionali: siamo in "
          "quattro, ma facciamo rumore per quaranta 🌲 #pasocial", plat="bluesky",
          img="selfie-2", key="monti_selfie"),
        T("fabbri", "Crepi! E grazie mille, ti scrivo la settimana prossima 🙏",
          reply="caruso_tesi"),
        T("villa", "Scoperta del pranzo: al tavolo eravamo in sei, da sei enti diversi, e "
          "avevamo tutti lo stesso problema con i PDF non accessibili. Tra un arancino e l'altro "
          "è nato un gruppo di lavoro. #pasocial"),
        T("dangelo", "Le lasagne del chiostro meritano un panel a parte. Proposta per il 2027: "
          "«Comunicazione pubblica e besciamella» 😋 #pasocial", plat="bluesky", img="!buffet"),
        T("orlando", "A pranzo ho parlato con chi gestisce i social di un Comune di 800 "
          "abitanti: una persona, part-time, che segue anche l'anagrafe. Ecco perché servono "
          "modelli condivisi. #pasocial", plat="x"),
        BOOST("dangelo", "monti_selfie"),
        T("bruno", "Pranzo con vista sul chiostro e discussione accesa su virgole e maiuscole "
          "negli hashtag. Siamo fatti così, non possiamo farci niente 😅 #pasocial",
          plat="mastodon"),
        T("gentile", "Selfie con @{ferri} dopo la keynote: io sorridente, lei con la bocca piena "
          "di focaccia. Per rispetto istituzionale non lo pubblico 😄 #pasocial",
          key="gentile_selfie"),
        T("ferri", "Grazie per la discrezione 🙏😂", reply="gentile_selfie"),
        T("ot_cucina", "Ricetta del giorno: tortellini in brodo come li faceva la nonna, con il "
          "brodo di cappone che sobbolle per tre ore 🍲 #pasocial #cucina #ricette",
          expect="reject:off_topic"),
        T("ricci", "A pranzo ho chiesto a tre social media manager la domanda più strana mai "
          "ricevuta. Ha vinto: «Posso pagare la TARI con le zucchine dell'orto?». #pasocial",
          key="ricci_tari"),
        BOOST("cattaneo", "ricci_tari"),
        T("russo", "Il tavolo senza glutine ha il cartello «Senza glutine. Non contiene "
          "glutine». Chiarezza esemplare, nessuna ambiguità 😂 #pasocial #linguaggiochiaro"),
        BOOST("pasocial", "ricci_tari"),
        T("leone", "Pausa al sole nel chiostro: novembre, 16 gradi, ottanta persone che parlano "
          "di social media policy con un caffè in mano. Bella gente. #pasocial",
          img="chiostro"),
        T("barbieri", "Appena fatto un selfie con il sindaco @{ferrante}, che nel pomeriggio sale "
          "sul palco e finge di non essere agitato. Lo pubblico dopo il suo intervento, per non "
          "metterlo in imbarazzo 😄 #pasocial"),
        T("spam_mentor", "Ho trasformato 200€ in 14.000€ in un mese grazie a questo mentore 🙏 "
          "Contattalo su WhatsApp, ti cambierà la vita!! #pasocial #PAsocial2026",
          expect="reject:spam"),
        T("rinaldi", "Metà giornata: taccuino pieno, voce ancora al suo posto. Grazie a chi ci "
          "segue da casa: leggiamo tutto, anche le domande che arrivano qui. #pasocial",
          plat="x"),
        T("costa", "Il Wi-Fi regge, il buffet regge, le batterie un po' meno. L'angolo ricarica "
          "è preso d'assalto 🔋 #pasocial"),
        T("fabbri", "Mi sono fatta coraggio e mi sono presentata a @{caruso}. Gentilissima: mi ha "
          "consigliato due libri e mi ha dato il contatto di una collega che ha fatto una tesi "
          "come la mia. #pasocial", plat="x"),
        BOOST("caruso", "asl_protocollo"),
        T("neri", "A pranzo ho chiesto a Marta Vitale come si descrive un grafico a barre nel "
          "testo alternativo. Risposta: «Non descriverlo. Scrivi la conclusione e metti i dati "
          "in una tabella accanto». Ovvio, una volta detto. #pasocial", plat="bluesky"),
        T("santoro", "In fila al buffet una collega mi ha detto: «Io il testo alternativo lo "
          "scrivo sempre, ma non sapevo si chiamasse così». Non servono etichette per fare le "
          "cose bene ❤️ #pasocial", plat="mastodon"),
        T("comune_vd", "Per chi arriva nel pomeriggio: navetta gratuita dalla stazione "
          "all'Auditorium Santa Chiara ogni 20 minuti, fino alle 19. #pasocial",
          plat="bluesky"),
        T("pasocial", "Alle 14:30 si riparte con il panel Dati & KPI. Intanto il wall in sala "
          "mostra i vostri post: grazie per tenerlo vivo! 📺 #pasocial", plat="x", img="wall"),
    ]),
    ("14:30", "15:20", [
        T("pasocial", "Si riparte con «Dati e KPI della comunicazione pubblica»: @{rossetti}, "
          "@{mancini} e @{ferraro}. #pasocial #dati", plat="bluesky"),
        T("esposito", "@{rossetti}: «Il numero di follower è una metrica di vanità. Il tempo di "
          "risposta è una metrica di servizio». #pasocial #dati", plat="x", img="dati-1"),
        T("gentile", "Rossetti propone tre KPI per un profilo istituzionale: tempo medio di "
          "risposta, quota di domande risolte senza rimandare a un altro canale, errori "
          "segnalati e corretti entro 24 ore. Nessun like. #pasocial", img="!dati-2"),
        T("villa", "@{mancini} racconta come Porto Ardesio ha smesso di contare le interazioni e "
          "ha cominciato a contare le telefonate evitate all'URP: -18% in un anno. #pasocial"),
        T("orlando", "@{ferraro} presenta i dati dell'Osservatorio: su 1.200 enti analizzati, "
          "solo il 9% pubblica un report annuale sulla propria comunicazione social. #pasocial",
          plat="bluesky"),
        T("russo", "Ferraro: «Pubblicare i propri numeri, anche quando sono brutti, è la forma "
          "più semplice di accountability». #pasocial #dati"),
        T("costa", "Ho sempre sospettato che la «copertura» fosse un numero inventato. Oggi "
          "un'analista dell'Agenzia mi ha dato ragione, con tanto di grafico 📊 #pasocial"),
        T("dangelo", "Le slide di Rossetti sono un esempio di dataviz accessibile: contrasto "
          "alto, etichette direttamente sulle barre, niente legenda da decifrare e la tabella "
          "dei dati sotto. Prendo nota. #pasocial", plat="bluesky", img="dati-3"),
        T("ferraro", "Il rapporto completo dell'Osservatorio sulla comunicazione pubblica 2026 è "
          "online, con i dati aperti in CSV: "
          "https://osservatorio.uni-valdoria.example/rapporto-2026 #pasocial #opendata",
          plat="mastodon", key="ferraro_rapporto"),
        BOOST("univ", "ferraro_rapporto"),
        T("fabbri", "Domanda dalla sala: «Come convinco il mio sindaco che 200 like non sono un "
          "successo?». Mancini: «Chiedigli quante di quelle persone hanno poi pagato la TARI in "
          "tempo». #pasocial", plat="x"),
        T("cattaneo", "Dati aperti in CSV e non in un PDF scansionato: già solo per questo merita "
          "la lettura. #pasocial #opendata", quote="ferraro_rapporto"),
        T("monti", "Il dato che mi porto a casa: i post con un'azione chiara («prenota qui», "
          "«scarica il modulo») hanno un tasso di clic quattro volte più alto di quelli "
          "«informativi». #pasocial #dati", plat="bluesky"),
        T("neri", "@{ferraro} mostra la relazione tra la leggibilità dei post (indice Gulpease) "
          "e le risposte: più il testo è semplice, meno le persone chiedono chiarimenti. "
          "Servivano i dati? Sì, per i dirigenti. #pasocial", plat="mastodon"),
        T("barbieri", "Obiettivo dichiarato di Porto Ardesio: tempo di risposta < 2 ore nei "
          "giorni feriali. Lo misurano e lo pubblicano ogni mese. Noi ci proviamo da gennaio. "
          "#pasocial #KPI"),
        T("santoro", "Rossetti chiude con una frase da stampare: «Se un numero non cambia "
          "nessuna decisione, smettete di misurarlo». #pasocial", plat="bluesky"),
        T("ricci", "Non lavoro nella PA, ma ho capito tutto del panel sui dati. Credo sia il "
          "complimento più grande che si possa fare. #pasocial"),
        T("leone", "Gli unici grafici a torta della giornata erano quelli del buffet. Grazie, "
          "Valentina Rossetti 🥧 #pasocial #dati"),
        T("rossetti", "Grazie per le domande! Il foglio di calcolo con i KPI e le formule che ho "
          "mostrato è qui, da copiare e adattare: https://www.ansd.example/kpi-comunicazione "
          "#pasocial #dati", plat="bluesky"),
        T("mancini", "Siamo partiti da una domanda semplice: quante persone non hanno più dovuto "
          "telefonarci grazie a un post? Da lì è cambiato tutto. Grazie #pasocial per lo "
          "spazio!"),
    ]),
    ("15:20", "16:18", [
        T("pasocial", "Il panel più atteso: «Intelligenza artificiale e PA», con @{testa}, "
          "@{riva} e @{desantis}. Modera @{bellini}. #pasocial #IA", plat="x"),
        T("esposito", "@{testa} parte forte: «Entro tre anni metà delle risposte ai cittadini sui "
          "social le scriverà un'intelligenza artificiale. La domanda è se le controlleremo "
          "noi». Brusio in sala. #pasocial #IA", plat="x", key="esp_testa"),
        T("orlando", "Alessandro Testa (ANSD) ha appena detto che fra tre anni metà delle "
          "risposte ai cittadini le scriverà un'IA. Giulia Ferri, in prima fila, scuote la "
          "testa. Si fa interessante. #pasocial", plat="mastodon"),
        T("villa", "Ok, il panel sull'IA si è acceso subito 🔥 #pasocial"),
        T("gentile", "@{riva}: «Usiamo l'IA per le bozze e per i sottotitoli. Mai per rispondere. "
          "Chi scrive a un ente ha diritto a una persona che lo legge». Applauso lungo. "
          "#pasocial #IA"),
        T("russo", "@{desantis} ricorda che se un testo generato contiene un errore, la "
          "responsabilità resta dell'ente: «L'algoritmo non risponde davanti a un giudice. Il "
          "dirigente sì». #pasocial"),
        T("monti", "@{bellini} chiede alla sala chi usa già strumenti di IA nel lavoro di tutti i "
          "giorni. Si alzano quasi tutte le mani. E chi ha un documento interno che ne regola "
          "l'uso? Ne restano cinque. #pasocial #IA", plat="bluesky"),
        T("dangelo", "Testa mostra la bozza delle linee guida ANSD sull'IA generativa nella "
          "comunicazione pubblica: dichiarare quando un testo è generato, revisione umana "
          "obbligatoria, mai dati personali nei prompt. #pasocial #IA", plat="x", img="ia-1"),
        T("neri", "La slide «Chi firma il post?» pone la domanda giusta. Se la risposta è "
          "«nessuno», non si pubblica. #pasocial #IA", plat="bluesky", img="ia-2"),
        T("cattaneo", "Applausi a De Santis per aver ricordato che i modelli non sono neutri: "
          "sono addestrati su testi che non conosciamo, con lingue e dialetti "
          "sottorappresentati. Per un ente che serve tutti è un problema di uguaglianza. "
          "#pasocial #IA"),
        T("costa", "Testa ribatte: «Oggi i cittadini aspettano in media 14 ore una risposta. Se "
          "un assistente ben controllato li porta a 14 minuti, rifiutarlo è un lusso che non "
          "possiamo permetterci». Sala divisa. #pasocial", key="costa_testa"),
        T("villa", "Divisa è dire poco: alla mia destra applaudivano, alla mia sinistra "
          "scuotevano la testa. Io prendevo appunti, da bravo web editor.", reply="costa_testa"),
        T("ins_x", "Questi burocrati incapaci sono una vergogna, andate a lavorare invece di "
          "giocare con l'intelligenza artificiale #pasocial", expect="reject:insult"),
        T("fabbri", "Questo panel è già un capitolo della tesi 😅 «Umano nel ciclo» è la formula "
          "che ripetono tutti. Ma dove, esattamente, nel ciclo? #pasocial #IA", plat="bluesky",
          img="!ia-3"),
        T("santoro", "Il punto di @{riva} per me è decisivo: l'IA può aiutarci a scrivere "
          "meglio, ma la decisione su cosa dire resta politica e umana. #pasocial",
          plat="bluesky"),
        T("ricci", "Da cittadino: preferisco aspettare due ore e parlare con una persona vera che "
          "ricevere subito una risposta gentilissima e sbagliata. Forse non sono "
          "rappresentativo. #pasocial #IA", key="ricci_ia"),
        T("pace", "Sto con @{riva}: bozze sì, risposte no. Ma la provocazione di Testa va presa "
          "sul serio, perché i tempi di risposta sono un problema vero. #pasocial",
          quote="esp_testa"),
        T("cattaneo", "Secondo me lo sei più di quanto pensi. Il punto è: la risposta sbagliata "
          "chi la corregge, e tu come lo vieni a sapere?", reply="ricci_ia", key="catt_ia"),
        T("bruno", "La discussione sull'IA continua anche in coda al bagno. Ho sentito «però "
          "anche il correttore automatico è IA» almeno quattro volte 😄 #pasocial",
          plat="mastodon"),
        T("neri", "@{ricci} @{cattaneo} E aggiungo: quando risponde un'IA, il cittadino deve "
          "saperlo. Sempre. È scritto anche nella bozza ANSD.", reply="catt_ia"),
        T("leone", "Il panel sull'IA in tre parole: trasparenza, responsabilità, formazione. Il "
          "resto sono strumenti. #pasocial"),
        T("marras", "Seguo da casa. Sull'IA mi convince di più chi dice «proviamo con cautela» di "
          "chi dice «mai» o «subito». #pasocial"),
        T("villa", "Bellini chiude con un voto per alzata di mano: «IA per rispondere ai "
          "cittadini, sì o no?». Risultato: 40% sì, 45% no, 15% «dipende». Cioè: dipende. "
          "#pasocial"),
    ]),
    ("16:18", "16:36", [
        T("desantis", "Provo a riassumere il mio intervento in un post: l'IA può scrivere, ma non "
          "può essere responsabile. E nella PA la responsabilità non è un dettaglio, è il "
          "fondamento. #pasocial #IA", plat="bluesky", key="desantis_sintesi"),
        T("bellini", "Moderare questo panel è stato come arbitrare un derby. Grazie @{testa}, "
          "@{riva} e Nicola De Santis per non essersi risparmiati. #pasocial", plat="x"),
        T("russo", "La sintesi perfetta del panel. Da incorniciare. #pasocial",
          quote="desantis_sintesi"),
        T("ferri", "Sull'IA non sono d'accordo con Alessandro Testa, e gliel'ho detto in pausa, "
          "con affetto. Ma era il confronto che serviva: meglio discuterne qui che scoprirlo "
          "dopo, in un reclamo. #pasocial", plat="bluesky"),
        T("riva", "Grazie a tutte e tutti per le domande, anche per quelle scomode. Le linee "
          "guida interne della Regione sull'uso dell'IA sono pubbliche, qui: "
          "https://www.regione-lumbria.example/comunicazione/linee-guida-ia #pasocial #IA",
          plat="x", key="riva_lg"),
        T("testa", "Volevo provocare e ci sono riuscito 😅 Ma il punto resta: il problema non è "
          "l'IA, sono le 14 ore di attesa. Discutiamone, con i dati. #pasocial", plat="x",
          key="testa_provoca"),
        BOOST("regione", "riva_lg"),
        T("gentile", "Dopo il panel sull'IA il foyer sembra un congresso di partito: capannelli, "
          "voci alte, qualcuno che disegna schemi sul retro del programma. Meraviglioso. "
          "#pasocial"),
        T("barbieri", "Da Comune piccolo: noi facciamo aspettare 14 ore perché siamo in due, non "
          "perché ci manca l'IA. Prima servono persone, poi strumenti. #pasocial",
          reply="testa_provoca", key="barb_testa"),
        T("ansd", "La bozza delle linee guida sull'IA generativa nella comunicazione "
          "istituzionale è in consultazione pubblica fino al 31 gennaio. Partecipate: "
          "https://www.ansd.example/consultazioni/ia-comunicazione #pasocial #IA",
          plat="bluesky", key="ansd_consult"),
        T("caruso", "Il punto su cui alla fine eravamo tutti d'accordo: qualunque cosa scriva "
          "un'IA, la firma resta nostra. Per un'ASL, che parla di salute, non è negoziabile. "
          "#pasocial #IA", plat="mastodon"),
        T("testa", "Giusto, e lo sottoscrivo. L'assistente non deve sostituire il collega che "
          "manca: deve liberare tempo a chi c'è.", reply="barb_testa"),
        BOOST("testa", "ansd_consult"),
        T("fabbri", "Quattro pagine di appunti solo sul panel IA. La mia relatrice sarà "
          "contentissima (o disperata). #pasocial", plat="x"),
        T("monti", "Non so chi abbia ragione tra Testa e Riva, ma so che da lunedì nel nostro "
          "ufficio scriviamo le regole sull'uso dell'IA. Questo panel è servito. #pasocial",
          plat="mastodon"),
        BOOST("rossetti", "ansd_consult"),
        AGAIN("esp_testa"),
        T("ricci", "Da ascoltatore esterno: è la prima volta che vedo due dirigenti pubblici in "
          "disaccordo sul palco, con rispetto e con argomenti. Dovrebbe succedere più spesso. "
          "#pasocial"),
        T("esposito", "Il panel sull'IA a #pasocial, per chi se l'è perso:\n\n"
          "🔹 @{testa}: entro tre anni un'IA potrebbe scrivere metà delle risposte ai cittadini, "
          "e il vero problema sono le 14 ore di attesa di oggi.\n"
          "🔹 @{riva}: IA per bozze e sottotitoli, mai per rispondere.\n"
          "🔹 Nicola De Santis: la responsabilità resta all'ente, sempre.\n\n"
          "Voto in sala: 40% sì, 45% no, 15% dipende. Il dibattito è appena cominciato.",
          plat="x", long=True),
        T("rinaldi", "Sondaggio non scientifico nel foyer: il panel sull'IA ha generato più "
          "conversazioni del buffet. E il buffet era ottimo. #pasocial", plat="bluesky"),
    ]),
    ("16:36", "17:15", [
        T("pasocial", "Ultima sessione di talk: «Storie dai territori», quattro esperienze in "
          "dieci minuti ciascuna. Si parte da Borgo Ventoso con il sindaco @{ferrante}. "
          "#pasocial", plat="mastodon"),
        T("esposito", "@{ferrante}: «Borgo Ventoso ha 2.300 abitanti e 4.000 follower. Non è un "
          "paradosso: ci seguono quelli che sono partiti e vogliono sapere se ha nevicato in "
          "piazza» ❤️ #pasocial", plat="x", img="territori-1"),
        T("barbieri", "Il mio sindaco sul palco di #pasocial. Sono emozionato e mi tremano le "
          "mani mentre scatto, quindi le foto sono mosse 📸", img="!palco-territori"),
        T("costa", "@{ferrante} mostra il post più commentato nella storia di Borgo Ventoso: la "
          "foto della nuova panchina in piazza. 412 commenti, tutti favorevoli. Un miracolo 😂 "
          "#pasocial"),
        T("orlando", "@{moro} racconta come le Biblioteche di Valdoria hanno aperto un profilo "
          "per adolescenti gestito insieme a un gruppo di ragazzi. Regola numero uno: niente "
          "post scritti da adulti che fingono di essere giovani. #pasocial", plat="bluesky",
          img="territori-2", key="orl_biblio"),
        BOOST("moro", "orl_biblio"),
        T("ricci", "La biblioteca con il profilo gestito dai ragazzi: questa la porto a scuola "
          "domattina. #pasocial", key="ricci_biblio"),
        T("moro", "Le slide del mio intervento e i contatti del gruppo di lettura che ci ha "
          "aiutato: https://biblioteche.comune-valdoria.example/pasocial-2026 Grazie a tutte e "
          "tutti, che emozione! 📚 #pasocial", plat="mastodon", key="moro_slide"),
        T("moro", "Scrivimi quando vuoi, ti giro il regolamento che abbiamo scritto insieme a "
          "loro!", reply="ricci_biblio"),
        BOOST("biblio", "moro_slide"),
        T("gentile", "@{serra} del Museo civico di Castelmarino: un reperto al giorno, raccontato "
          "dalle custodi e dai custodi del museo. I visitatori under 25 sono triplicati. "
          "#pasocial"),
        T("russo", "Serra: «Abbiamo chiesto ai custodi di raccontare il loro oggetto preferito. "
          "Non sapevamo di avere dei narratori così». Il museo raccontato da chi lo vive ogni "
          "giorno. #pasocial"),
        T("ot_materassi", "Materassi in memory foam a -70% solo questo weekend! Consegna gratuita "
          "in tutta la Lumbria 🛏️ #pasocial #offerte https://materassi-lumbria.example/promo",
          expect="reject:off_topic"),
        T("dangelo", "@{lombardi} e l'URP di Porto Ardesio su WhatsApp: un canale solo in "
          "uscita, un messaggio a settimana, iscrizione con un QR allo sportello. 6.000 iscritti "
          "su 19.000 abitanti. #pasocial", plat="bluesky"),
        T("villa", "La sessione sui territori è la più bella della giornata. Non è una gara, "
          "certo. Ma se lo fosse… #pasocial"),
        T("monti", "Lombardi: «Il canale WhatsApp è nato quando ci siamo accorti che le persone "
          "fotografavano gli avvisi in bacheca per mandarseli». Ascoltare prima di progettare. "
          "#pasocial", plat="bluesky"),
        T("fabbri", "Talk pieni di storie vere e di piccoli numeri che valgono più di mille "
          "percentuali. È per questo che voglio fare questo lavoro. #pasocial", plat="bluesky"),
        T("neri", "Cosa hanno in comune le quattro storie dai territori: nessuno è partito dallo "
          "strumento. Tutti sono partiti da un bisogno delle persone. #pasocial",
          plat="mastodon"),
        T("serra", "Dieci minuti sul palco e un'ora di domande nel foyer. Grazie a chi è venuto a "
          "chiedere dei nostri custodi: da domani li chiamiamo «influencer del museo» (ma non "
          "diteglielo) 🏺 #pasocial", plat="bluesky"),
        T("biblio", "Grazie a #pasocial per lo spazio dato alle biblioteche! A chi ci ha chiesto "
          "del progetto con i ragazzi: ci trovate ogni giovedì pomeriggio in biblioteca "
          "centrale, in via dei Mille 12 📚"),
    ]),
    ("17:15", "18:00", [
        T("pasocial", "Chiusura dei lavori con @{bassani} e @{conti} e consegna del Premio "
          "#pasocial 2026 per la comunicazione pubblica 🏆 #PAsocial2026", plat="x",
          img="premio"),
        T("esposito", "Il Premio #pasocial 2026 va all'URP di Porto Ardesio per il canale "
          "WhatsApp dei servizi! Meritatissimo 🏆 #PAsocial2026", plat="x", key="esp_premio"),
        T("ferrante", "Ho parlato a #pasocial con le gambe che tremavano, come al primo consiglio "
          "comunale. Grazie per l'accoglienza: Borgo Ventoso vi aspetta, la panchina nuova è "
          "comodissima 😄"),
        BOOST("mancini", "esp_premio"),
        T("lombardi", "Non me l'aspettavo. Il premio è di tutto l'URP di Porto Ardesio: cinque "
          "persone che ogni settimana trasformano delibere e avvisi in messaggi che si "
          "capiscono. Grazie #pasocial 🏆", key="lombardi_premio"),
        T("conti", "Meritatissimo, davvero. E grazie a voi per averci mostrato che si può fare "
          "tanto con pochi mezzi ❤️", reply="lombardi_premio"),
        BOOST("pasocial", "lombardi_premio"),
        T("gentile", "Menzioni speciali alla Protezione civile Lumbria per il protocollo delle "
          "allerte e alle Biblioteche di Valdoria per il progetto con i ragazzi. Giornata chiusa "
          "in bellezza. #pasocial"),
        T("bassani", "Oggi eravamo 312 in sala e oltre 1.800 collegati in diretta. Ma il numero "
          "che preferisco è un altro: 47 enti hanno chiesto il modello di social media policy. "
          "Al lavoro! #pasocial", plat="mastodon"),
        T("villa", "Ultima foto della sala dalla terza fila. Grazie a chi ha organizzato, a chi "
          "ha parlato e a chi ha ascoltato. #pasocial", img="chiusura"),
        T("dangelo", "@{conti} annuncia: le slide di tutti gli interventi saranno online entro "
          "lunedì, le registrazioni con i sottotitoli entro fine mese. #pasocial", plat="x"),
        T("sartori", "È stata una giornata bellissima. Da gennaio, come promesso stamattina, "
          "pubblicheremo ogni mese i tempi di risposta del Comune sui social. Teneteci d'occhio. "
          "#pasocial", plat="x"),
        T("pace", "Da padrone di casa: grazie a tutte e a tutti. Valdoria è stata felice di "
          "ospitarvi. Tornate quando volete, magari anche senza badge. #pasocial"),
        T("conti", "Grazie a chi è venuto, a chi ha seguito da remoto, a chi ha fatto domande "
          "scomode e a chi ha aggiunto il testo alternativo alle foto delle slide. Ci vediamo "
          "nel 2027! #pasocial #PAsocial2026", plat="mastodon", key="conti_grazie"),
        DUP("conti_grazie", "bluesky"),
        T("orlando", "Fine dei lavori. @{bassani} annuncia la prossima edizione: novembre 2027, a "
          "Porto Ardesio. Portate l'ombrello, pare. #pasocial", plat="bluesky"),
        T("monti", "Chiudo il portatile con dodici pagine di appunti, tre contatti nuovi e una "
          "gran voglia di riscrivere la bio del nostro profilo. Grazie #pasocial 🌲",
          plat="bluesky"),
    ]),
    ("18:00", "23:10", [
        T("pasocial", "Aperitivo nel chiostro fino alle 19:30! Venite a salutarci e a scattare "
          "l'ultimo selfie della giornata 🥂 #pasocial", plat="bluesky", img="aperitivo"),
        T("esposito", "Bilancio della giornata: 63 post, 2 powerbank, 4 caffè, 1 voce persa. Ne è "
          "valsa la pena. Grazie #pasocial ❤️", plat="mastodon"),
        T("dangelo", "Brindisi finale nel chiostro, con la luce del tramonto che fa sembrare "
          "tutti riposati. Non lo siamo 😴 #pasocial", plat="x", img="!aperitivo"),
        T("barbieri", "In treno verso Borgo Ventoso: il sindaco dorme, io scrivo la social media "
          "policy sul telefono. Direi che la giornata ha funzionato. #pasocial"),
        T("ricci", "Da insegnante ospite: ho capito che dietro ogni profilo istituzionale c'è una "
          "persona che cerca di fare bene un lavoro difficile. Da domani guarderò i post del mio "
          "Comune con altri occhi. #pasocial"),
        T("ferri", "Grazie a chi ha ascoltato la keynote e a chi l'ha criticata: le obiezioni di "
          "oggi sono il lavoro di domani. Le slide sono qui: "
          "https://www.regione-lumbria.example/comunicazione/pasocial-2026 #pasocial",
          plat="bluesky", card="slide-ferri", key="ferri_slide"),
        BOOST("conti", "ferri_slide"),
        T("fabbri", "Torno a casa con la tesi che finalmente ha un indice. Grazie #pasocial e "
          "grazie a chi mi ha dato consigli tra un panel e l'altro 🙏", plat="x"),
        T("orlando", "Il mio resoconto della giornata, con i link a tutte le slide pubblicate "
          "finora: https://giacomoorlando.example/2026/11/stati-generali-comunicazione-pubblica "
          "#pasocial", plat="mastodon", key="orl_resoconto"),
        BOOST("pasocial", "orl_resoconto"),
        T("neri", "Statistica personale: stamattina metà delle foto con #pasocial non aveva il "
          "testo alternativo. Nel pomeriggio quasi tutte ce l'avevano. I panel funzionano. "
          "#accessibilità", plat="bluesky"),
        T("galli", "Tornato a casa, ho aperto la mail: altre 12 richieste del modello di social "
          "media policy. Domani lo mettiamo su un repository pubblico, così ognuno prende la "
          "versione aggiornata. #pasocial", plat="mastodon"),
        T("riva", "Giornata lunga e bellissima. Stasera il nostro riepilogo di #pasocial in "
          "linguaggio chiaro, panel per panel, è sul sito della Regione. Fateci sapere se si "
          "capisce 😉", plat="bluesky"),
    ]),
    ("11-20 08:40", "11-20 12:30", [
        T("pasocial", "I numeri di #pasocial 2026: 312 persone in sala, oltre 1.800 in diretta, 9 "
          "sessioni, 26 relatrici e relatori, 40 enti rappresentati. E un buffet che ricorderemo "
          "a lungo. Grazie!", plat="mastodon"),
        T("vitale", "Dopo #pasocial ho ricevuto trenta foto di slide con il loro testo "
          "alternativo, da persone che fino a ieri non lo scrivevano mai. Giornata ben spesa. "
          "#accessibilità", plat="bluesky"),
        T("pasocial", "Le slide e le registrazioni con i sottotitoli arrivano qui, sessione per "
          "sessione: https://pasocial.example/2026/materiali #pasocial", plat="x"),
        T("galli", "Il modello di social media policy del Comune di Valdoria è su un repository "
          "pubblico: https://code.comune-valdoria.example/comunicazione/social-policy "
          "Segnalazioni e proposte benvenute. #pasocial #socialmediapolicy", plat="mastodon"),
        T("caruso", "Il giorno dopo #pasocial: casella piena di messaggi di colleghe e colleghi "
          "che vogliono scambiarsi i protocolli di crisi. Questa rete è la cosa più preziosa che "
          "abbiamo.", plat="bluesky"),
        T("monti", "Lunedì riscrivo la bio del profilo del Parco. Oggi comincio dal testo "
          "alternativo di tutte le foto degli scoiattoli. Sono 340. Auguratemi buona fortuna 🐿️ "
          "#pasocial", plat="mastodon"),
        T("fontana", "Chiedo scusa a chi ieri mi ha chiesto le slide e non ha ancora ricevuto "
          "risposta: arrivano oggi, promesso. Anche questo è tempo di risposta 😅 #pasocial"),
    ]),
]

# Where, within a segment, people post the most (a fraction of the segment); default 0.5.
PEAKS = {"10:00": 0.45, "13:30": 0.25, "16:18": 0.3, "09:00": 0.6, "17:15": 0.3, "11:50": 0.4}

# Link cards (Bluesky external embeds) for a few link posts.
CARDS = {
    "diretta": ("https://pasocial.example/2026/diretta",
                "Diretta · Stati generali della nuova comunicazione pubblica",
                "Segui #pasocial 2026 in diretta da Valdoria, con sottotitoli e interpretariato "
                "LIS.", "card-pasocial"),
    "slide-ferri": ("https://www.regione-lumbria.example/comunicazione/pasocial-2026",
                    "Il servizio pubblico abita nel feed – le slide",
                    "La keynote di Giulia Ferri agli Stati generali della nuova comunicazione "
                    "pubblica.", "keynote-1"),
}


# --------------------------------------------------------------------------------------------
# The event and its programme (local times, Europe/Rome)
# --------------------------------------------------------------------------------------------

MAIN_HALL = "Sala grande"
PROGRAMME = [
    ("s1", "Apertura dei lavori", "09:30", "10:00",
     [("bassani", ""), ("sartori", ""), ("rinaldi", "Conduce la giornata")],
     "I saluti, in breve, e i numeri da cui partiamo: quanti enti sono sui social, quanti hanno "
     "una policy, quanti misurano il proprio servizio."),
    ("s2", "Keynote: Il servizio pubblico abita nel feed", "10:00", "10:45",
     [("ferri", ""), ("rinaldi", "Introduce")],
     "Dieci anni di comunicazione pubblica sui social: perché il post è diventato la porta "
     "d'ingresso dei servizi, e che cosa cambia per chi risponde ogni giorno ai cittadini."),
    ("s3", "Social media policy negli enti", "11:00", "11:50",
     [("galli", ""), ("lodi", ""), ("benedetti", ""), ("conti", "Modera")],
     "Policy esterna e interna, moderazione e trasparenza, profili personali dei dipendenti: "
     "modelli concreti da adottare e adattare."),
    ("s4", "Accessibilità e linguaggio chiaro", "11:50", "12:40",
     [("vitale", ""), ("fontana", ""), ("greco", ""), ("marchetti", "")],
     "Testo alternativo, sottotitoli, hashtag leggibili e frasi che si capiscono al primo "
     "colpo: l'accessibilità come modo di progettare, non come controllo finale."),
    ("s5", "Crisi e comunicazione d'emergenza", "12:40", "13:30",
     [("longo", ""), ("caruso", ""), ("guerrieri", ""), ("rinaldi", "Modera")],
     "Allerte meteo, emergenze sanitarie, notizie false: chi decide, cosa si pubblica nei primi "
     "trenta minuti, come si tiene insieme un solo messaggio su tutti i canali."),
    ("s6", "Dati e KPI della comunicazione pubblica", "14:30", "15:20",
     [("rossetti", ""), ("mancini", ""), ("ferraro", "")],
     "Dalle metriche di vanità alle metriche di servizio: tempi di risposta, domande risolte, "
     "telefonate evitate, e i dati dell'Osservatorio 2026."),
    ("s7", "Intelligenza artificiale e PA", "15:20", "16:20",
     [("testa", ""), ("riva", ""), ("desantis", ""), ("bellini", "Modera")],
     "Bozze, sottotitoli, risposte automatiche: dove l'IA generativa aiuta la comunicazione "
     "pubblica, dove no, e chi ne risponde."),
    ("s8", "Storie dai territori", "16:30", "17:15",
     [("ferrante", ""), ("moro", ""), ("serra", ""), ("lombardi", "")],
     "Quattro talk da dieci minuti: un piccolo Comune, una biblioteca, un museo e un URP che "
     "hanno trovato il loro modo di parlare con le persone."),
    ("s9", "Chiusura e Premio #pasocial 2026", "17:15", "18:00",
     [("bassani", ""), ("conti", "")],
     "Cosa ci portiamo a casa, la consegna del Premio #pasocial 2026 per la comunicazione "
     "pubblica e l'appuntamento con la prossima edizione."),
]


def speaker_handle(person: Person) -> str:
    platforms = person.platforms()
    return person.handle(platforms[0]) if platforms else ""


def build_event() -> dict:
    sessions = []
    for key, title, start, end, speakers, description in PROGRAMME:
        sessions.append({
            "key": key, "title": title, "starts_at": iso(when(start)), "ends_at": iso(when(end)),
            "room": MAIN_HALL,
            "speakers": [{"name": PEOPLE[k].name,
                          # A session note ("modera") is added unless the role already says it.
                          "role": (f"{PEOPLE[k].role} ({note.lower()})"
                                   if note and note.lower() not in PEOPLE[k].role.lower()
                                   else PEOPLE[k].role),
                          "handle": speaker_handle(PEOPLE[k])} for k, note in speakers],
            "description": description,
        })
    accounts = []
    for key in ("pasocial", "comune_vd", "regione", "ansd", "asl", "protciv", "univ"):
        for platform in PEOPLE[key].platforms():
            accounts.append({"platform": platform, "handle": PEOPLE[key].handle(platform)})
    seen = set()
    for _key, _title, _start, _end, speakers, _description in PROGRAMME:
        for k, _note in speakers:
            person = PEOPLE[k]
            if k in seen:
                continue
            seen.add(k)
            for platform in person.platforms():
                accounts.append({"platform": platform, "handle": person.handle(platform)})
    return {
        "slug": "pasocial-2026",
        "name": "#pasocial 2026 · Stati generali della nuova comunicazione pubblica",
        "description": (
            "Una giornata con chi gestisce i social della pubblica amministrazione: social media "
            "policy, accessibilità e linguaggio chiaro, comunicazione di crisi, dati e KPI, "
            "intelligenza artificiale, storie dai territori. Evento dimostrativo di Piazza: "
            "persone, enti e post sono inventati."),
        "hashtags": ["pasocial", "PAsocial2026", "comunicazionepubblica"],
        "accounts": accounts,
        "starts_at": "2026-11-19T08:00:00Z",
        "ends_at": "2026-11-19T17:30:00Z",
        "timezone": "Europe/Rome",
        "language": "it",
        "url": "https://pasocial.example/2026",
        "venue": "Auditorium Santa Chiara, via Santa Chiara 3, Valdoria",
        "sessions": sessions,
    }


# --------------------------------------------------------------------------------------------
# Press feeds (RSS 2.0 and Atom)
# --------------------------------------------------------------------------------------------

FEEDS = {
    "regione": {"kind": "rss", "title": "Regione Lumbria – Ufficio stampa",
                "site": "https://www.regione-lumbria.example/ufficio-stampa",
                "self": "https://www.regione-lumbria.example/ufficio-stampa/feed.xml",
                "description": "Comunicati stampa della Giunta regionale della Lumbria",
                "logo": "regione", "author": "Ufficio stampa della Giunta regionale"},
    "comune": {"kind": "rss", "title": "Comune di Valdoria – Notizie",
               "site": "https://www.comune-valdoria.example/notizie",
               "self": "https://www.comune-valdoria.example/notizie/rss",
               "description": "Le notizie dal Comune di Valdoria", "logo": "comune_vd",
               "author": "Redazione web del Comune"},
    "asl": {"kind": "rss", "title": "ASL Monteverde – Comunicati stampa",
            "site": "https://www.asl-monteverde.example/comunicati",
            "self": "https://www.asl-monteverde.example/comunicati/feed",
            "description": "Comunicati stampa dell'Azienda sanitaria locale di Monteverde",
            "logo": "asl", "author": "Ufficio stampa ASL Monteverde", "media_rss": True},
    "ansd": {"kind": "atom", "title": "Agenzia Nazionale Servizi Digitali – Novità",
             "site": "https://www.ansd.example/novita",
             "self": "https://www.ansd.example/novita/atom.xml",
             "description": "Notizie, linee guida e consultazioni dell'Agenzia",
             "logo": "ansd", "author": "Agenzia Nazionale Servizi Digitali"},
    "univ": {"kind": "atom", "title": "Università di Valdoria – UniVal Notizie",
             "site": "https://www.uni-valdoria.example/notizie",
             "self": "https://www.uni-valdoria.example/notizie/feed.atom",
             "description": "Ricerca, didattica e terza missione", "logo": "univ",
             "author": "Ufficio comunicazione di Ateneo"},
    "rete": {"kind": "rss", "title": "Rete dei Comunicatori Pubblici – Blog",
             "site": "https://pasocial.example/blog", "self": "https://pasocial.example/blog/feed",
             "description": "Il blog della Rete dei Comunicatori Pubblici e di #pasocial",
             "logo": "pasocial", "author": "Redazione #pasocial"},
    "provincia": {"kind": "rss", "title": "Provincia di Serralta – Notizie",
                  "site": "https://www.provincia-serralta.example/notizie",
                  "self": "https://www.provincia-serralta.example/notizie/rss.xml",
                  "description": "Notizie dalla Provincia di Serralta", "logo": "provincia",
                  "author": "Ufficio stampa della Provincia"},
    "porto": {"kind": "rss", "title": "Comune di Porto Ardesio",
              "site": "https://www.comune-portoardesio.example",
              "self": "https://www.comune-portoardesio.example/feed/",
              "description": "Notizie e avvisi del Comune di Porto Ardesio", "logo": "porto",
              "author": "URP del Comune di Porto Ardesio"},
}


def A(text: str, href: str) -> str:
    return f'<a href="{href}">{text}</a>'


# (feed, local time published, slug for the URL, title, HTML body, picture or None,
#  category).  A feed document is sent a few minutes after its newest entry is published.
ARTICLES = {
    "r4a": ("rete", "11-16 10:00", "programma-pasocial-2026",
            "#pasocial 2026: il programma degli Stati generali della nuova comunicazione pubblica",
            "<p>Giovedì 19 novembre, all'<strong>Auditorium Santa Chiara di Valdoria</strong>, "
            "nove sessioni e ventisei relatrici e relatori per fare il punto sulla comunicazione "
            "pubblica sui social: policy, accessibilità, crisi, dati e intelligenza "
            "artificiale.</p><p>L'ingresso è gratuito con registrazione. La diretta sarà "
            "sottotitolata e con interpretariato in LIS.</p><p>"
            + A("Leggi il programma completo", "https://pasocial.example/2026/programma")
            + "</p>", "programma", "Eventi"),
    "r2a": ("comune", "11-17 12:00", "viabilita-santa-chiara",
            "Stati generali della comunicazione pubblica: divieti di sosta e bus deviati in via "
            "Santa Chiara",
            "<p>Giovedì 19 novembre, dalle 7 alle 20, in via Santa Chiara sarà in vigore il "
            "<strong>divieto di sosta con rimozione</strong> sul lato dei numeri pari, per "
            "l'allestimento degli Stati generali della nuova comunicazione pubblica.</p><p>Le "
            "linee 4 e 11 saranno deviate su viale dei Tigli; le fermate «Santa Chiara» e "
            "«Piazza del Mercato» sono sospese per l'intera giornata.</p><p>"
            + A("Ordinanza e mappa delle deviazioni",
                "https://www.comune-valdoria.example/notizie/viabilita-santa-chiara")
            + "</p>", None, "Mobilità"),
    "r1a": ("regione", "11-18 12:30", "stati-generali-comunicazione-vigilia",
            "Comunicazione pubblica, domani a Valdoria gli Stati generali: la Regione porta il "
            "suo modello di servizio sui social",
            "<p>La Regione Lumbria partecipa agli <strong>Stati generali della nuova "
            "comunicazione pubblica</strong> (#pasocial), domani all'Auditorium Santa Chiara di "
            "Valdoria, con la keynote di Giulia Ferri, responsabile della comunicazione digitale, "
            "e con l'intervento di Beatrice Riva nel panel sull'intelligenza artificiale.</p>"
            "<p>«Presenteremo i dati del nostro servizio di risposta sui social e il lavoro fatto "
            "durante l'allerta neve del 2025», anticipa Ferri.</p>", None, "Comunicazione"),
    "r4b": ("rete", "08:15", "come-seguire-la-giornata",
            "Come seguire la giornata: diretta, hashtag e materiali",
            "<p>La diretta video, sottotitolata, è su "
            + A("pasocial.example/2026/diretta", "https://pasocial.example/2026/diretta")
            + ". L'hashtag ufficiale è <strong>#pasocial</strong>: in sala, il wall mostra i post "
            "approvati dalla redazione.</p><p>Una preghiera: se pubblicate foto delle slide, "
            "aggiungete il testo alternativo. Le slide di ogni intervento saranno pubblicate "
            "dopo la sessione.</p>", "wall", "Eventi"),
    "r2b": ("comune", "09:50", "sartori-apre-stati-generali",
            "Sartori apre gli Stati generali: «Da gennaio pubblicheremo i nostri tempi di "
            "risposta»",
            "<p>«Il primo servizio digitale di un Comune è la risposta a un messaggio arrivato "
            "la domenica sera». Con queste parole l'assessora all'innovazione <strong>Elena "
            "Sartori</strong> ha aperto questa mattina gli Stati generali della nuova "
            "comunicazione pubblica all'Auditorium Santa Chiara.</p><p>Da gennaio il Comune di "
            "Valdoria pubblicherà ogni mese, sul sito istituzionale, i tempi medi di risposta ai "
            "messaggi ricevuti sui propri canali social.</p>", "palco-apertura", "Innovazione"),
    "r1b": ("regione", "11:05", "ferri-servizio-pubblico-feed",
            "Ferri agli Stati generali: «Il servizio pubblico abita nel feed»",
            "<p>«Quasi una persona su due arriva sul portale regionale da un post». Lo ha detto "
            "<strong>Giulia Ferri</strong>, responsabile della comunicazione digitale della "
            "Regione Lumbria, nella keynote degli Stati generali della nuova comunicazione "
            "pubblica.</p><p>Il servizio di risposta della Regione sui social ha un tempo medio "
            "di 3 ore e 12 minuti, anche nei fine settimana. "
            + A("Le slide dell'intervento",
                "https://www.regione-lumbria.example/comunicazione/pasocial-2026")
            + ".</p>", "keynote-1", "Comunicazione"),
    "r5a": ("provincia", "12:05", "social-policy-scritta-con-i-cittadini",
            "La social media policy della Provincia, scritta con i cittadini, presentata agli "
            "Stati generali",
            "<p>Una pagina, dodici regole, un laboratorio aperto a chiunque volesse partecipare: "
            "il capo ufficio stampa <strong>Paolo Benedetti</strong> ha presentato a Valdoria la "
            "social media policy della Provincia di Serralta.</p><p>"
            + A("Leggi la policy", "https://www.provincia-serralta.example/social-policy")
            + "</p>", None, "Comunicazione"),
    "a1a": ("ansd", "12:10", "checklist-accessibilita-social",
            "Accessibilità dei contenuti social: la checklist per le amministrazioni",
            "<p>Presentata agli Stati generali della nuova comunicazione pubblica la "
            "<strong>checklist per l'accessibilità dei contenuti social</strong> della PA: testo "
            "alternativo, sottotitoli, contrasto, hashtag leggibili, linguaggio chiaro.</p><p>Il "
            "documento è disponibile in HTML e in PDF accessibile.</p>", "access-1",
            "Accessibilità"),
    "r3a": ("asl", "13:20", "protocollo-comunicazione-emergenze",
            "Comunicare nelle emergenze sanitarie: il protocollo dell'ASL Monteverde agli Stati "
            "generali",
            "<p>Un appuntamento fisso ogni mattina alle 9, una sola fonte per tutti i canali, "
            "nessuna rincorsa alle voci false: <strong>Irene Caruso</strong>, social media "
            "manager dell'ASL Monteverde, ha presentato a Valdoria il protocollo aziendale per la "
            "comunicazione nelle emergenze sanitarie.</p><p>"
            + A("Scarica il protocollo",
                "https://www.asl-monteverde.example/comunicazione/protocollo-emergenze")
            + "</p>", "crisi-2", "Comunicati"),
    "r1c": ("regione", "13:45", "protocollo-unico-allerte",
            "Protezione civile, un unico messaggio per tutti i canali: presentato il protocollo "
            "delle allerte",
            "<p>Stesso testo su sito, social, app e radio locali, aggiornato sempre nello stesso "
            "punto: è il cuore del nuovo protocollo per i messaggi di allerta presentato da "
            "<strong>Roberto Longo</strong>, responsabile della comunicazione della Protezione "
            "civile regionale.</p><p>«In emergenza la prima mezz'ora decide tutto», ha ricordato "
            "Longo.</p>", "crisi-1", "Protezione civile"),
    "a2a": ("univ", "15:05", "osservatorio-rapporto-2026",
            "Osservatorio sulla comunicazione pubblica: il rapporto 2026, con i dati aperti",
            "<p>Su 1.200 enti analizzati, solo il 9% pubblica un report annuale sulla propria "
            "comunicazione social. È uno dei dati del <strong>rapporto 2026</strong> "
            "dell'Osservatorio sulla comunicazione pubblica, presentato da Noemi Ferraro.</p><p>"
            + A("Rapporto e dati in CSV", "https://osservatorio.uni-valdoria.example/rapporto-2026")
            + "</p>", "dati-1", "Ricerca"),
    "a1b": ("ansd", "16:25", "consultazione-ia-comunicazione",
            "IA generativa nella comunicazione istituzionale: al via la consultazione pubblica",
            "<p>È aperta fino al 31 gennaio la <strong>consultazione pubblica</strong> sulla "
            "bozza di linee guida per l'uso dell'intelligenza artificiale generativa nella "
            "comunicazione delle amministrazioni.</p><ul><li>dichiarare i testi generati</li><li>"
            "revisione umana obbligatoria</li><li>nessun dato personale nei prompt</li></ul>",
            None, "Consultazioni"),
    "r1e": ("regione", "16:45", "linee-guida-ia-comunicazione",
            "Intelligenza artificiale: pubblicate le linee guida interne per la comunicazione "
            "regionale",
            "<p>«Usiamo l'IA per le bozze e per i sottotitoli, mai per rispondere ai cittadini». "
            "Beatrice Riva, social media manager della Regione, ha presentato agli Stati generali "
            "le <strong>linee guida interne</strong> sull'uso dell'intelligenza artificiale.</p>"
            "<p>" + A("Leggi le linee guida",
                      "https://www.regione-lumbria.example/comunicazione/linee-guida-ia")
            + "</p>", None, "Comunicazione"),
    "r2c": ("comune", "18:05", "menzione-biblioteche-pasocial",
            "Premio #pasocial 2026, menzione speciale per le Biblioteche di Valdoria",
            "<p>Il progetto delle Biblioteche civiche con il profilo social gestito insieme ai "
            "ragazzi ha ricevuto la <strong>menzione speciale</strong> del Premio #pasocial "
            "2026.</p><p>Il gruppo si incontra ogni giovedì pomeriggio in biblioteca centrale, in "
            "via dei Mille 12.</p>", "territori-2", "Cultura"),
    "r2d": ("comune", "18:07", "policy-modello-47-enti",
            "La social media policy del Comune richiesta da 47 enti",
            "<p>Il modello di social media policy del Comune di Valdoria, pubblicato con licenza "
            "CC BY 4.0 e presentato oggi da Marco Galli, è stato richiesto da 47 amministrazioni "
            "nel corso della giornata.</p>", None, "Innovazione"),
    "r6a": ("porto", "18:20", "premio-pasocial-urp",
            "Il canale WhatsApp dell'URP vince il Premio #pasocial 2026",
            "<p>Un messaggio a settimana, iscrizione con un QR allo sportello, 6.000 iscritti: il "
            "canale WhatsApp dell'<strong>URP di Porto Ardesio</strong> ha vinto il Premio "
            "#pasocial 2026 per la comunicazione pubblica.</p><p>«È il premio di cinque persone "
            "che ogni settimana trasformano delibere in messaggi che si capiscono», ha detto la "
            "responsabile Anna Lombardi.</p>", "premio", "Notizie"),
    "r4c": ("rete", "19:40", "premio-pasocial-2026",
            "Il Premio #pasocial 2026 all'URP di Porto Ardesio",
            "<p>La giuria ha premiato il canale WhatsApp dei servizi del Comune di Porto "
            "Ardesio. Menzioni speciali alla Protezione civile Lumbria e alle Biblioteche di "
            "Valdoria.</p><p>La prossima edizione si terrà a Porto Ardesio, nel novembre "
            "2027.</p>", "premio", "Premio"),
    "r4e": ("rete", "19:42", "prime-slide-online",
            "Le prime slide sono online",
            "<p>Policy, accessibilità e dati: le prime slide della giornata sono su "
            + A("pasocial.example/2026/materiali", "https://pasocial.example/2026/materiali")
            + ". Le registrazioni con i sottotitoli arriveranno entro fine mese.</p>", None,
            "Materiali"),
    "r4d": ("rete", "11-20 10:30", "numeri-pasocial-2026",
            "I numeri di #pasocial 2026 (e cosa ci portiamo a casa)",
            "<p><strong>312</strong> persone in sala, oltre <strong>1.800</strong> collegate in "
            "diretta, 40 enti rappresentati. E tre impegni: pubblicare i tempi di risposta, "
            "scrivere le regole sull'IA, aggiungere sempre il testo alternativo.</p>", "sala",
            "Eventi"),
}

# The documents as the feeds served them, in order: (entries, extra delay in minutes, expect)
FEED_DOCUMENTS = [
    (["r4a"], 3, None), (["r2a"], 6, None), (["r1a"], 4, None), (["r4b"], 2, None),
    (["r2b"], 5, None), (["r1b"], 4, None), (["r5a"], 7, None), (["a1a"], 3, None),
    (["r3a"], 6, None), (["r1c"], 5, None), (["r1c"], 85, "duplicate"), (["a2a"], 4, None),
    (["a1b"], 3, None), (["r1e"], 6, None), (["r2d", "r2c"], 5, None), (["r6a"], 8, None),
    (["r4e", "r4c"], 4, None), (["r4d"], 3, None),
]


# --------------------------------------------------------------------------------------------
# From source text to each platform's rich text
# --------------------------------------------------------------------------------------------

TOKEN = re.compile(r"@\{(\w+)\}|(?<![\w&/$])#(\w+)|(https?://[^\s«»“”]+)")
TRAILING = ".,;:!?)…"
ACCOUNT_FIELD = {"mastodon": "m", "bluesky": "b", "x": "x"}


def tokens(text: str, platform: str) -> list[tuple[str, object]]:
    """('text', str) | ('tag', str) | ('mention', Person) | ('link', str), in order."""
    out: list[tuple[str, object]] = []
    position = 0

    def add_text(piece: str) -> None:
        if not piece:
            return
        if out and out[-1][0] == "text":
            out[-1] = ("text", out[-1][1] + piece)
        else:
            out.append(("text", piece))

    for match in TOKEN.finditer(text):
        add_text(text[position:match.start()])
        position = match.end()
        if match.group(1):
            person = PEOPLE[match.group(1)]
            if getattr(person, ACCOUNT_FIELD[platform]):
                out.append(("mention", person))
            else:
                add_text(person.name)
        elif match.group(2):
            out.append(("tag", match.group(2)))
        else:
            url = match.group(3).rstrip(TRAILING)
            out.append(("link", url))
            position = match.start() + len(url)
    add_text(text[position:])
    return out


def rails_escape(text: str) -> str:
    """ERB::Util.html_escape, as Mastodon writes text into HTML."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def mastodon_link(url: str) -> str:
    scheme, rest = url.split("://", 1)
    prefix = scheme + "://"
    if rest.startswith("www."):
        prefix, rest = prefix + "www.", rest[4:]
    if len(rest) > 30:
        shown = (f'<span class="ellipsis">{rails_escape(rest[:30])}</span>'
                 f'<span class="invisible">{rails_escape(rest[30:])}</span>')
    else:
        shown = f'<span class="">{rails_escape(rest)}</span><span class="invisible"></span>'
    return (f'<a href="{rails_escape(url)}" target="_blank" rel="nofollow noopener" '
            f'translate="no"><span class="invisible">{prefix}</span>{shown}</a>')


def x_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def x_weight(text: str) -> int:
    """X's weighted length: most Latin text counts 1, emoji and CJK count 2."""
    total = 0
    for char in text:
        cp = ord(char)
        if cp == 0xFE0F:  # a variation selector rides along with its emoji
            continue
        light = (cp <= 0x10FF or 0x2000 <= cp <= 0x200D or 0x2010 <= cp <= 0x201F
                 or 0x2032 <= cp <= 0x2037)
        total += 1 if light else 2
    return total


def display_url(url: str) -> str:
    shown = url.split("://", 1)[1]
    return shown if len(shown) <= 26 else shown[:26] + "…"


# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------


def counts(person: Person, weight: float = 1.0) -> tuple[int, int, int, int]:
    """(likes, reposts, replies, quotes) at the moment the post was read."""
    if person.shady:
        return rng.randrange(3), 0, rng.randrange(2), 0
    base = (30 if person.institution else 9) * weight
    likes = int(rng.uniform(0.3, 2.2) * base)
    return likes, int(likes * rng.uniform(0.1, 0.35)), int(likes * rng.uniform(0, 0.15)), \
        int(rng.random() < 0.2)


def images(spec: object) -> list[tuple[str, str | None]]:
    """[(slug, alt or None)] from "slug" / "!slug" / a list of them."""
    if not spec:
        return []
    out = []
    for item in spec if isinstance(spec, list) else [spec]:
        slug = item.lstrip("!")
        if slug not in MEDIA:
            raise SystemExit(f"unknown picture {slug!r}")
        out.append((slug, None if item.startswith("!") else MEDIA[slug][2]))
    return out


class Builder:
    def __init__(self) -> None:
        self.native: dict[str, dict] = {}  # key -> the platform object that was built
        self.platform_of: dict[str, str] = {}
        self.items: list[dict] = []
        self.tweets: list[dict] = []  # X tweets waiting to be grouped into search pages
        self.tweets_by_id: dict[str, dict] = {}
        self.x_users: dict[str, dict] = {}
        self.x_media: dict[str, dict] = {}

    # -- Mastodon ---------------------------------------------------------------------------

    def m_account(self, person: Person) -> dict:
        user, instance = person.m.split("@")
        return {
            "id": person.m_id, "username": user,
            "acct": user if instance == VIEW else person.m,
            "display_name": person.name, "locked": False, "bot": False, "discoverable": True,
            "indexable": True, "group": False, "created_at": iso_ms(person.created.replace(
                hour=0, minute=0, second=0, microsecond=0)),
            "note": f"<p>{rails_escape(person.role)}</p>" if person.role else "",
            "url": f"https://{instance}/@{user}", "uri": f"https://{instance}/users/{user}",
            "avatar": person.avatar, "avatar_static": person.avatar,
            "header": media_url("header"), "header_static": media_url("header"),
            "followers_count": person.followers, "following_count": person.following,
            "statuses_count": person.statuses, "last_status_at": "2026-11-19",
            "hide_collections": False, "noindex": False, "emojis": [], "roles": [],
            "fields": [],
        }

    def m_status(self, entry: dict, moment: datetime) -> dict:
        person = PEOPLE[entry["who"]]
        user, instance = person.m.split("@")
        status_id = mastodon_id(moment)
        origin_id = status_id if instance == VIEW else mastodon_id(moment)
        parts, tags, mentions = [], {}, {}
        for kind, value in tokens(entry["text"], "mastodon"):
            if kind == "text":
                parts.append(rails_escape(value))
            elif kind == "tag":
                href = f"https://{instance}/tags/{quote(value)}"
                parts.append(f'<a href="{href}" class="mention hashtag" rel="tag">'
                             f"#<span>{rails_escape(value)}</span></a>")
                tags.setdefault(value.lower(), {
                    "name": value.lower(), "url": f"https://{VIEW}/tags/{quote(value.lower())}"})
            elif kind == "mention":
                m_user, m_instance = value.m.split("@")
                url = f"https://{m_instance}/@{m_user}"
                parts.append(f'<span class="h-card" translate="no"><a href="{url}" '
                             f'class="u-url mention">@<span>{m_user}</span></a></span>')
                mentions.setdefault(value.key, {
                    "id": value.m_id, "username": m_user, "url": url,
                    "acct": m_user if m_instance == VIEW else value.m})
            else:
                parts.append(mastodon_link(value))
        html = "".join(f"<p>{p.replace(chr(10), '<br />')}</p>"
                       for p in "".join(parts).split("\n\n"))
        # A native quote (Mastodon 4.5) carries no "RE: link" fallback in the API's content.
        quoted = self.native.get(entry.get("quote", ""))
        likes, boosts, replies, quotes = counts(person)
        parent = self.native.get(entry.get("reply", ""))
        attachments = [{
            "id": mastodon_id(moment), "type": "image", "url": media_url(slug),
            "preview_url": media_url(slug), "remote_url": None, "preview_remote_url": None,
            "text_url": None,
            "meta": {"original": {"width": 1200, "height": 675, "size": "1200x675",
                                  "aspect": 1.7777777777777777},
                     "small": {"width": 640, "height": 360, "size": "640x360",
                               "aspect": 1.7777777777777777}},
            "description": alt, "blurhash": blurhash(main_colour(slug)),
        } for slug, alt in images(entry.get("img"))]
        edited = moment + timedelta(seconds=rng.randrange(30, 70)) if entry.get("edited") else None
        return {
            "id": status_id, "created_at": iso_ms(moment),
            "in_reply_to_id": parent["id"] if parent else None,
            "in_reply_to_account_id": parent["account"]["id"] if parent else None,
            "sensitive": bool(entry.get("cw")), "spoiler_text": entry.get("cw", ""),
            "visibility": "public", "language": "it",
            "uri": f"https://{instance}/users/{user}/statuses/{origin_id}",
            "url": f"https://{instance}/@{user}/{origin_id}",
            "replies_count": replies, "reblogs_count": boosts, "favourites_count": likes,
            "quotes_count": quotes, "edited_at": iso_ms(edited) if edited else None,
            "content": html, "reblog": None,
            "application": {"name": "Web", "website": None} if instance == VIEW else None,
            "account": self.m_account(person), "media_attachments": attachments,
            "mentions": list(mentions.values()), "tags": list(tags.values()), "emojis": [],
            "card": None, "poll": None,
            "quote": {"state": "accepted", "quoted_status": quoted} if quoted else None,
        }

    def m_boost(self, entry: dict, moment: datetime) -> dict:
        person = PEOPLE[entry["who"]]
        user, instance = person.m.split("@")
        original = json.loads(json.dumps(self.native[entry["boost"]]))
        original["reblogs_count"] += 1
        boost_id = mastodon_id(moment)
        origin_id = boost_id if instance == VIEW else mastodon_id(moment)
        activity = f"https://{instance}/users/{user}/statuses/{origin_id}/activity"
        return {
            "id": boost_id, "created_at": iso_ms(moment), "in_reply_to_id": None,
            "in_reply_to_account_id": None, "sensitive": False, "spoiler_text": "",
            "visibility": "public", "language": None, "uri": activity, "url": activity,
            "replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "quotes_count": 0,
            "edited_at": None, "content": "", "reblog": original, "application": None,
            "account": self.m_account(person), "media_attachments": [], "mentions": [],
            "tags": [], "emojis": [], "card": None, "poll": None, "quote": None,
        }

    # -- Bluesky ----------------------------------------------------------------------------

    @staticmethod
    def b_author(person: Person) -> dict:
        return {"did": person.did, "handle": person.b, "displayName": person.name,
                "avatar": person.avatar, "labels": [], "createdAt": iso_ms(person.b_created)}

    def b_post(self, entry: dict, moment: datetime) -> dict:
        person = PEOPLE[entry["who"]]
        text, facets = "", []
        for kind, value in tokens(entry["text"], "bluesky"):
            if kind == "text":
                text += value
                continue
            if kind == "tag":
                piece, feature = "#" + value, {"$type": "app.bsky.richtext.facet#tag",
                                               "tag": value}
            elif kind == "mention":
                piece, feature = "@" + value.b, {"$type": "app.bsky.richtext.facet#mention",
                                                 "did": value.did}
            else:
                piece, feature = value, {"$type": "app.bsky.richtext.facet#link", "uri": value}
            start = len(text.encode("utf-8"))
            text += piece
            facets.append({"index": {"byteStart": start, "byteEnd": len(text.encode("utf-8"))},
                           "features": [feature]})
        if len(text) > 300:
            raise SystemExit(f"Bluesky post over 300 characters: {text[:60]!r}")
        uri = f"at://{person.did}/app.bsky.feed.post/{tid(moment)}"
        record: dict = {"$type": "app.bsky.feed.post", "text": text,
                        "createdAt": iso_ms(moment), "langs": ["it"]}
        if facets:
            record["facets"] = facets
        parent = self.native.get(entry.get("reply", ""))
        if parent:
            root = parent["record"].get("reply", {}).get("root") or {
                "uri": parent["uri"], "cid": parent["cid"]}
            record["reply"] = {"root": root, "parent": {"uri": parent["uri"],
                                                        "cid": parent["cid"]}}
        view = None
        pictures = images(entry.get("img"))
        if pictures:
            record["embed"] = {"$type": "app.bsky.embed.images", "images": [{
                "alt": alt or "",
                "image": {"$type": "blob", "ref": {"$link": cid("bafkrei")},
                          "mimeType": "image/jpeg", "size": rng.randrange(140_000, 950_000)},
                "aspectRatio": {"width": 1200, "height": 675}} for _slug, alt in pictures]}
            view = {"$type": "app.bsky.embed.images#view", "images": [{
                "thumb": media_url(slug), "fullsize": media_url(slug), "alt": alt or "",
                "aspectRatio": {"width": 1200, "height": 675}} for slug, alt in pictures]}
        quoted = self.native.get(entry.get("quote", ""))
        if quoted:
            record["embed"] = {"$type": "app.bsky.embed.record",
                               "record": {"uri": quoted["uri"], "cid": quoted["cid"]}}
            view = {"$type": "app.bsky.embed.record#view", "record": {
                "$type": "app.bsky.embed.record#viewRecord", "uri": quoted["uri"],
                "cid": quoted["cid"], "author": quoted["author"], "value": quoted["record"],
                "labels": [], "likeCount": quoted["likeCount"],
                "replyCount": quoted["replyCount"], "repostCount": quoted["repostCount"],
                "quoteCount": quoted["quoteCount"] + 1, "indexedAt": quoted["indexedAt"],
                **({"embeds": [quoted["embed"]]} if quoted.get("embed") else {})}}
        if entry.get("card"):
            link, title, description, thumb = CARDS[entry["card"]]
            record["embed"] = {"$type": "app.bsky.embed.external", "external": {
                "uri": link, "title": title, "description": description,
                "thumb": {"$type": "blob", "ref": {"$link": cid("bafkrei")},
                          "mimeType": "image/jpeg", "size": rng.randrange(60_000, 300_000)}}}
            view = {"$type": "app.bsky.embed.external#view", "external": {
                "uri": link, "title": title, "description": description,
                "thumb": media_url(thumb)}}
        likes, reposts, replies, quotes = counts(person)
        post = {"uri": uri, "cid": cid(), "author": self.b_author(person), "record": record}
        if view:
            post["embed"] = view
        post.update({"replyCount": replies, "repostCount": reposts, "likeCount": likes,
                     "quoteCount": quotes,
                     "indexedAt": iso_ms(moment + timedelta(milliseconds=rng.randrange(300, 2500))),
                     "labels": []})
        return post

    def b_repost(self, entry: dict, moment: datetime) -> dict:
        person = PEOPLE[entry["who"]]
        original = json.loads(json.dumps(self.native[entry["boost"]]))
        original["repostCount"] += 1
        return {"post": original, "reason": {
            "$type": "app.bsky.feed.defs#reasonRepost", "by": self.b_author(person),
            "uri": f"at://{person.did}/app.bsky.feed.repost/{tid(moment)}", "cid": cid(),
            "indexedAt": iso_ms(moment)}}

    # -- X ----------------------------------------------------------------------------------

    def x_user(self, person: Person) -> dict:
        user = {"id": person.x_id, "name": person.name, "username": person.x,
                "profile_image_url": person.avatar}
        self.x_users[person.x_id] = user
        return user

    @staticmethod
    def x_rich(toks: list[tuple[str, object]]) -> tuple[str, dict, int]:
        """Escaped text, entities with code-point offsets into it, weighted length."""
        text, weight = "", 0
        entities: dict[str, list] = {"hashtags": [], "mentions": [], "urls": []}
        for kind, value in toks:
            start = len(text)
            if kind == "text":
                text += x_escape(value)
                weight += x_weight(value)
                continue
            if kind == "tag":
                text += "#" + value
                entities["hashtags"].append({"start": start, "end": len(text), "tag": value})
                weight += x_weight("#" + value)
            elif kind == "mention":
                text += "@" + value.x
                entities["mentions"].append({"start": start, "end": len(text),
                                             "username": value.x, "id": value.x_id})
                weight += len(value.x) + 1
            else:
                short = tco()
                text += short
                entities["urls"].append({"start": start, "end": len(text), "url": short,
                                         "expanded_url": value, "display_url": display_url(value)})
                weight += 23
        return text, entities, weight

    def x_tweet(self, entry: dict, moment: datetime) -> dict:
        person = PEOPLE[entry["who"]]
        self.x_user(person)
        tweet_key = tweet_id(moment)
        text, entities, weight = self.x_rich(tokens(entry["text"], "x"))
        tweet: dict = {"id": tweet_key, "text": text, "author_id": person.x_id,
                       "created_at": iso_ms(moment), "lang": "it",
                       "conversation_id": tweet_key, "edit_history_tweet_ids": [tweet_key],
                       "possibly_sensitive": False}
        likes, retweets, replies, quotes = counts(person)
        tweet["public_metrics"] = {
            "retweet_count": retweets, "reply_count": replies, "like_count": likes,
            "quote_count": quotes, "bookmark_count": int(likes * rng.uniform(0, 0.2)),
            "impression_count": likes * rng.randrange(25, 90) + rng.randrange(40, 400)}
        if entry.get("long"):
            if weight <= 280:
                raise SystemExit(f"note tweet is not long: {text[:60]!r}")
            note = {"text": text, "entities": {k: v for k, v in entities.items() if v}}
            cut = text.rfind(" ", 0, 274)
            short = tco()
            visible = text[:cut] + "…"
            text = f"{visible} {short}"
            entities = {k: [e for e in v if e["end"] <= cut] for k, v in entities.items()}
            entities["urls"].append({
                "start": len(visible) + 1, "end": len(text), "url": short,
                "expanded_url": f"https://x.com/i/web/status/{tweet_key}",
                "display_url": f"x.com/i/web/status/{tweet_key[:7]}…"})
            tweet["text"] = text
            tweet["note_tweet"] = note
        elif weight > 280:
            raise SystemExit(f"X post over 280 ({weight}): {text!r}")
        pictures = images(entry.get("img"))
        if pictures:
            keys = []
            for slug, alt in pictures:
                key = f"3_{tweet_id(moment)}"
                item = {"media_key": key, "type": "photo", "url": media_url(slug),
                        "width": 1200, "height": 675}
                if alt:
                    item["alt_text"] = alt
                self.x_media[key] = item
                keys.append(key)
            short = tco()
            start = len(text) + 1
            tweet["text"] = text = f"{text} {short}"
            entities["urls"].append({
                "start": start, "end": len(text), "url": short,
                "expanded_url": f"https://x.com/{person.x}/status/{tweet_key}/photo/1",
                "display_url": "pic.x.com/" + short.rsplit("/", 1)[1], "media_key": keys[0]})
            tweet["attachments"] = {"media_keys": keys}
        parent = self.native.get(entry.get("reply", ""))
        quoted = self.native.get(entry.get("quote", ""))
        references = []
        if parent:
            references.append({"type": "replied_to", "id": parent["id"]})
            tweet["in_reply_to_user_id"] = parent["author_id"]
            tweet["conversation_id"] = parent["conversation_id"]
        if quoted:
            references.append({"type": "quoted", "id": quoted["id"]})
            quoted["public_metrics"]["quote_count"] += 1
        if references:
            tweet["referenced_tweets"] = references
        tweet["entities"] = {k: v for k, v in entities.items() if v}
        for mention in tweet["entities"].get("mentions", []):
            self.x_user(PEOPLE[next(k for k, p in PEOPLE.items() if p.x == mention["username"])])
        if not tweet["entities"]:
            del tweet["entities"]
        return tweet

    def x_retweet(self, entry: dict, moment: datetime) -> dict:
        person = PEOPLE[entry["who"]]
        self.x_user(person)
        original = self.native[entry["boost"]]
        original["public_metrics"]["retweet_count"] += 1
        author = next(p for p in PEOPLE.values() if p.x_id == original["author_id"])
        prefix = f"RT @{author.x}: "
        body = original["text"]
        cut = len(body)
        if len(prefix) + len(body) > 140:
            cut = body.rfind(" ", 0, 140 - len(prefix) - 1)
            body = body[:cut] + "…"
        shift = len(prefix)
        entities = {"mentions": [{"start": 3, "end": 4 + len(author.x), "username": author.x,
                                  "id": author.x_id}], "hashtags": [], "urls": []}
        for kind, found in original.get("entities", {}).items():
            for entity in found:
                if entity["end"] <= cut:
                    entities[kind].append({**entity, "start": entity["start"] + shift,
                                           "end": entity["end"] + shift})
        retweet_key = tweet_id(moment)
        return {"id": retweet_key, "text": prefix + body, "author_id": person.x_id,
                "created_at": iso_ms(moment), "lang": "it", "conversation_id": retweet_key,
                "edit_history_tweet_ids": [retweet_key], "possibly_sensitive": False,
                "public_metrics": {"retweet_count": original["public_metrics"]["retweet_count"],
                                   "reply_count": 0, "like_count": 0, "quote_count": 0,
                                   "bookmark_count": 0, "impression_count": 0},
                "entities": {k: v for k, v in entities.items() if v},
                "referenced_tweets": [{"type": "retweeted", "id": original["id"]}]}

    def x_page(self, tweets: list[dict]) -> dict:
        """One GET /2/tweets/search/recent response page (newest first)."""
        data = sorted(tweets, key=lambda t: int(t["id"]), reverse=True)
        users, media, referenced = {}, {}, {}
        by_id = self.tweets_by_id
        for tweet in data:
            users[tweet["author_id"]] = self.x_users[tweet["author_id"]]
            for key in tweet.get("attachments", {}).get("media_keys", []):
                media[key] = self.x_media[key]
            for mention in tweet.get("entities", {}).get("mentions", []):
                users[mention["id"]] = self.x_users[mention["id"]]
            for ref in tweet.get("referenced_tweets", []):
                original = by_id[ref["id"]]
                referenced[original["id"]] = original
                users[original["author_id"]] = self.x_users[original["author_id"]]
        page: dict = {"data": data, "includes": {"users": list(users.values())}}
        if media:
            page["includes"]["media"] = list(media.values())
        if referenced:
            page["includes"]["tweets"] = list(referenced.values())
        page["meta"] = {"newest_id": data[0]["id"], "oldest_id": data[-1]["id"],
                        "result_count": len(data)}
        return page

    # -- the whole day ----------------------------------------------------------------------

    def schedule(self) -> list[tuple[datetime, dict]]:
        """Every entry with the moment it was written, in order."""
        timeline = []
        for start, end, entries in SEGMENTS:
            begin, finish = when(start), when(end)
            span = (finish - begin).total_seconds()
            # Reactions bunch up: around the middle of a talk, early in a break.
            mode = PEAKS.get(start, 0.5)
            moments = sorted(rng.triangular(0, span, span * mode) for _ in entries)
            previous = -60.0
            for offset, entry in zip(moments, entries, strict=True):
                offset = max(offset, previous + 20 + rng.uniform(0, 15))
                previous = offset
                moment = begin + timedelta(seconds=offset, milliseconds=rng.randrange(1000))
                timeline.append((moment, entry))
        return timeline

    def choose_platform(self, entry: dict, share: dict[str, int]) -> str:
        for reference in ("reply", "quote", "boost", "again"):
            if entry.get(reference):
                return self.platform_of[entry[reference]]
        if entry.get("plat"):
            return entry["plat"]
        person = PEOPLE[entry["who"]]
        target = {"mastodon": 100, "bluesky": 92, "x": 102}
        return min(person.platforms(), key=lambda p: share[p] / target[p])

    def run(self) -> None:
        share = {"mastodon": 0, "bluesky": 0, "x": 0}
        keyed: dict[str, dict] = {}
        for moment, entry in self.schedule():
            if entry.get("dup"):
                original = keyed[entry["dup"]]
                entry = {**original, "plat": entry["plat"], "expect": "duplicate",
                         "key": entry["dup"] + "_dup"}
                entry.pop("reply", None)
            platform = self.choose_platform(entry, share)
            person = PEOPLE[entry.get("who") or keyed[entry["again"]]["who"]]
            if not getattr(person, ACCOUNT_FIELD[platform]):
                raise SystemExit(f"{person.key} has no {platform} account: {entry}")
            parent_key = entry.get("reply")
            if parent_key and platform in ("mastodon", "x"):
                parent_who = keyed[parent_key]["who"]
                if parent_who != entry["who"] and not entry["text"].startswith("@{"):
                    entry = {**entry, "text": f"@{{{parent_who}}} " + entry["text"]}
            share[platform] += 1
            if entry.get("key"):
                keyed[entry["key"]] = entry
                self.platform_of[entry["key"]] = platform
            expect = entry.get("expect")
            if platform == "mastodon":
                status = (self.m_boost(entry, moment) if entry.get("boost")
                          else self.m_status(entry, moment))
                if entry.get("key"):
                    self.native[entry["key"]] = status
                seen = status["edited_at"] or status["created_at"]
                at = datetime.fromisoformat(seen.replace("Z", "+00:00")) + timedelta(
                    seconds=rng.uniform(6, 10))
                self.add_item(at, "mastodon", status, expect)
            elif platform == "bluesky":
                if entry.get("boost"):
                    self.add_item(moment + timedelta(seconds=rng.uniform(3, 7)), "bluesky",
                                  self.b_repost(entry, moment), expect)
                    continue
                post = self.b_post(entry, moment)
                if entry.get("key"):
                    self.native[entry["key"]] = post
                self.add_item(moment + timedelta(seconds=rng.uniform(3, 7)), "bluesky", post,
                              expect)
            elif entry.get("again"):
                tweet = json.loads(json.dumps(self.native[entry["again"]]))
                tweet["public_metrics"]["like_count"] += rng.randrange(5, 30)
                tweet["public_metrics"]["impression_count"] += rng.randrange(400, 2000)
                self.tweets.append({"moment": moment, "tweets": [tweet], "expect": "duplicate"})
            else:
                tweet = (self.x_retweet(entry, moment) if entry.get("boost")
                         else self.x_tweet(entry, moment))
                self.tweets_by_id[tweet["id"]] = tweet
                if entry.get("key"):
                    self.native[entry["key"]] = tweet
                self.tweets.append({"moment": moment, "tweets": [json.loads(json.dumps(tweet))],
                                    "expect": expect})
        self.group_x_pages(target=80)
        self.add_feeds()
        self.items.sort(key=lambda item: item["at"])

    def add_item(self, at: datetime, platform: str, payload: object, expect: str | None) -> None:
        item = {"at": iso(at), "platform": platform, "payload": payload}
        if expect:
            item["expect"] = expect
        self.items.append(item)

    def group_x_pages(self, target: int) -> None:
        """Tweets close in time share a search page (1-3 each) until there are `target` pages."""
        pages = [dict(p) for p in sorted(self.tweets, key=lambda p: p["moment"])]
        while len(pages) > target:
            best = None
            for i in range(len(pages) - 1):
                a, b = pages[i], pages[i + 1]
                if a["expect"] or b["expect"] or len(a["tweets"]) + len(b["tweets"]) > 3:
                    continue
                gap = (b["moment"] - a["moment"]).total_seconds()
                if gap <= 300 and (best is None or gap < best[0]):
                    best = (gap, i)
            if best is None:
                break
            i = best[1]
            pages[i] = {"moment": pages[i + 1]["moment"],
                        "tweets": pages[i]["tweets"] + pages[i + 1]["tweets"], "expect": None}
            del pages[i + 1]
        for page in pages:
            at = page["moment"] + timedelta(seconds=rng.uniform(30, 75))
            self.add_item(at, "x", self.x_page(page["tweets"]), page["expect"])

    # -- feeds ------------------------------------------------------------------------------

    def add_feeds(self) -> None:
        for keys, delay, expect in FEED_DOCUMENTS:
            feed = FEEDS[ARTICLES[keys[0]][0]]
            newest = max(when(ARTICLES[k][1]) for k in keys)
            built = newest + timedelta(minutes=delay - 1, seconds=rng.randrange(60))
            at = built + timedelta(seconds=rng.uniform(20, 50))
            document = (rss_document if feed["kind"] == "rss" else atom_document)(
                feed, keys, built)
            self.add_item(at, "rss", document, expect)


def xml(text: str) -> str:
    return escape(text, quote=False)


def rss_document(feed: dict, keys: list[str], built: datetime) -> str:
    media_ns = ' xmlns:media="http://search.yahoo.com/mrss/"' if feed.get("media_rss") else ""
    logo = PEOPLE[feed["logo"]].avatar
    items = ""
    for key in keys:
        _feed, published, slug, title, body, picture, category = ARTICLES[key]
        link = f"{feed['site']}/{slug}"
        items += (f"<item><title>{xml(title)}</title><link>{link}</link>"
                  f'<guid isPermaLink="true">{link}</guid>'
                  f"<pubDate>{format_datetime(when(published).astimezone(ROME))}</pubDate>"
                  f"<category>{xml(category)}</category>"
                  f"<dc:creator>{xml(feed['author'])}</dc:creator>"
                  f"<description><![CDATA[{body}]]></description>")
        if picture and feed.get("media_rss"):
            items += (f'<media:content url="{media_url(picture)}" medium="image" '
                      f'type="image/svg+xml" width="1200" height="675"/>')
        elif picture:
            items += (f'<enclosure url="{media_url(picture)}" '
                      f'length="{len(svg(MEDIA[picture][1], MEDIA[picture][0]).encode())}" '
                      f'type="image/svg+xml"/>')
        items += "</item>\n"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"{media_ns}>\n<channel>\n'
        f"<title>{xml(feed['title'])}</title><link>{feed['site']}</link>"
        f"<description>{xml(feed['description'])}</description><language>it-it</language>"
        f"<lastBuildDate>{format_datetime(built.astimezone(ROME).replace(microsecond=0))}"
        f'</lastBuildDate><atom:link href="{feed["self"]}" rel="self" '
        'type="application/rss+xml"/>'
        f"<image><url>{logo}</url><title>{xml(feed['title'])}</title>"
        f"<link>{feed['site']}</link></image>\n{items}</channel>\n</rss>\n")


def atom_document(feed: dict, keys: list[str], built: datetime) -> str:
    entries = ""
    for key in keys:
        _feed, published, slug, title, body, picture, category = ARTICLES[key]
        link = f"{feed['site']}/{slug}"
        moment = iso_local(when(published))
        entries += (f"<entry><id>{link}</id><title>{xml(title)}</title>"
                    f'<link rel="alternate" type="text/html" href="{link}"/>'
                    f"<published>{moment}</published><updated>{moment}</updated>"
                    f"<author><name>{xml(feed['author'])}</name></author>"
                    f'<category term="{xml(category)}"/>'
                    f'<summary type="html">{xml(body)}</summary>')
        if picture:
            size = len(svg(MEDIA[picture][1], MEDIA[picture][0]).encode())
            entries += (f'<link rel="enclosure" type="image/svg+xml" '
                        f'href="{media_url(picture)}" length="{size}"/>')
        entries += "</entry>\n"
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="it">\n'
        f"<id>{feed['site']}</id><title>{xml(feed['title'])}</title>"
        f"<subtitle>{xml(feed['description'])}</subtitle>"
        f"<updated>{iso_local(built.replace(microsecond=0))}</updated>"
        f'<link rel="alternate" type="text/html" href="{feed["site"]}"/>'
        f'<link rel="self" type="application/atom+xml" href="{feed["self"]}"/>'
        f"<icon>{PEOPLE[feed['logo']].avatar}</icon>\n{entries}</feed>\n")


# --------------------------------------------------------------------------------------------
# Checks and output
# --------------------------------------------------------------------------------------------


def check_texts(items: list[dict]) -> None:
    """No sentence is written twice, except where a post is deliberately sent twice."""
    seen: dict[str, str] = {}
    for item in items:
        if item.get("expect") == "duplicate":
            continue
        payload = item["payload"]
        texts = []
        if item["platform"] == "bluesky" and "record" in payload:
            texts.append(payload["record"]["text"])
        elif item["platform"] == "mastodon" and not payload["reblog"]:
            texts.append(re.sub(r"<[^>]+>", "", payload["content"]))
        elif item["platform"] == "x":
            texts += [t.get("note_tweet", t)["text"] for t in payload["data"]
                      if not t["text"].startswith("RT @")]
        for text in texts:
            for sentence in re.split(r"(?<=[.!?»])\s+", text):
                sentence = re.sub(r"(@\S+|#\S+|https?://\S+)", "", sentence).strip()
                if len(sentence) > 28:
                    if sentence in seen and seen[sentence] != text:
                        raise SystemExit(f"repeated sentence: {sentence!r}")
                    seen[sentence] = text


def main() -> None:
    build_media_catalogue()
    builder = Builder()
    builder.run()
    check_texts(builder.items)
    document = {"event": build_event(), "items": builder.items}
    head = json.dumps(document["event"], ensure_ascii=False, indent=1)
    lines = ",\n".join(json.dumps(item, ensure_ascii=False, separators=(",", ":"))
                       for item in builder.items)
    JSON_OUT.write_text(f'{{"event": {head},\n"items": [\n{lines}\n]}}\n', encoding="utf-8")
    write_pictures()
    tally: dict[str, int] = {}
    for item in builder.items:
        tally[item["platform"]] = tally.get(item["platform"], 0) + 1
    size = JSON_OUT.stat().st_size
    print(f"{JSON_OUT.relative_to(ROOT)}: {len(builder.items)} items {tally}, {size:,} bytes; "
          f"{len(MEDIA)} pictures, {len(PEOPLE)} avatars in {STATIC_OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
