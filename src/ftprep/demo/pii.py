"""Chat turns with planted PII and exact gold spans, for testing and benchmarking PII detection.

:func:`generate_pii_texts` writes support-chat turns (customer and agent, mostly English, some
German, French and Spanish), about half carrying one to three planted values of the eleven
entity types of :mod:`ftprep.pii`, many carrying *near misses* that look like PII and are not:
order numbers, version strings, prices, plain dates, times, tracking codes, UUIDs, hex colours,
ISBNs, IMEIs, netmasks, localhost, and 16-digit numbers that fail the Luhn check.
:func:`plant_pii` adds one planted sentence to an existing text (for the demo data generator).

Every value is invented: card numbers and IBANs are random (with valid check digits), e-mail
addresses are on invented or example domains, secrets are random strings of the right shape.
Gold spans cover the value only (a title, cue or label is not part of a ``person`` span);
addresses include their city/postcode when written on the same line.
"""

from __future__ import annotations

import ipaddress
import random
import string
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ftprep.demo import pools
from ftprep.pii.checksums import IBAN_LENGTHS, iban_check_digits, luhn_check_digit


@dataclass(frozen=True, slots=True)
class GoldSpan:
    """One planted value: ``text[start:end] == self.text``."""

    start: int
    end: int
    type: str
    text: str


Sample = tuple[str, list[GoldSpan]]
Maker = Callable[[random.Random], str]

# ---------------------------------------------------------------- values of each type
_MORE_FIRST = (
    "Siobhan", "Oluwaseun", "Ingrid", "Thandiwe", "Kwame", "Anneliese", "Ulrich", "Svetlana",
    "Aroha", "Nkechi", "Joaquín", "Björn", "Saoirse", "Tariq", "Leilani", "Mirela", "Radek",
    "Xiomara", "Dagny", "Bartholomew", "Megan", "Douglas", "Colleen", "Timothy", "Brian",
)  # fmt: skip
_MORE_LAST = (
    "Okonkwo", "Lindqvist", "Ferreira", "Nakamura", "Kowalczyk", "O'Brien", "Van der Berg",
    "Al-Sayed", "Mbeki", "Johansson", "Dubrovsky", "Castellanos", "Whitfield", "Abernathy",
)  # fmt: skip
FIRST = (*pools.FIRST_NAMES, *_MORE_FIRST)
LAST = (*pools.LAST_NAMES, *_MORE_LAST)
_MAIL_DOMAINS = (
    "gmail.com", "outlook.com", "yahoo.co.uk", "example.com", "acme-mail.net", "web.de",
    "orange.fr", "posteo.de", "fastmail.fm", "icloud.com", "company.example", "uni-koeln.de",
)  # fmt: skip
_US_AREAS = ("201", "202", "212", "213", "303", "305", "310", "312", "404", "415", "503", "512",
             "617", "646", "702", "713", "718", "801", "917", "206")  # fmt: skip
_PHONE_FORMATS = (
    "({a}) {x}-{4}", "{a}-{x}-{4}", "{a}.{x}.{4}", "+1 {a} {x} {4}", "+1-{a}-{x}-{4}",
    "({a}) {x}-{4}", "1-800-{x}-{4}", "+44 20 7946 0{3}", "+44 7400 {6}", "020 7946 0{3}",
    "07400 {6}", "+49 30 {8}", "+49 151 {8}", "0151 {8}", "+33 6 1{1} {2} {2} {2}",
    "06 1{1} {2} {2} {2}", "+34 612 {3} {3}", "+39 312 {3} {4}", "+31 6 2{7}", "+61 412 {3} {3}",
    "+91 98765 {5}", "+81 90-1{3}-{4}", "+55 11 9{4}-{4}", "+41 79 {3} {2} {2}",
)  # fmt: skip
_STREET_NAMES = ("Maple", "Oak", "Market", "Cedar", "Elm", "Harbor", "Mill", "Baker", "Church",
                 "Highland", "Lincoln", "Sunset", "Willow", "Riverside", "Park", "Chestnut")  # fmt: skip
_SUFFIXES = ("Street", "St", "Avenue", "Ave", "Road", "Rd", "Lane", "Drive", "Court", "Way",
             "Boulevard", "Place", "Terrace")  # fmt: skip
_US_CITIES = (("Springfield", "IL"), ("Portland", "OR"), ("Austin", "TX"), ("Denver", "CO"),
              ("Boston", "MA"), ("Seattle", "WA"), ("Columbus", "OH"), ("Madison", "WI"))  # fmt: skip
_UK_CITIES = (("London", "NW1 6XE"), ("Leeds", "LS1 4AP"), ("Manchester", "M1 2AB"),
              ("Bristol", "BS1 5TR"))  # fmt: skip
_CONTINENTAL = (("Hauptstraße", "10115 Berlin"), ("Keizersgracht", "1015 CJ Amsterdam"),
                ("Lindenallee", "50968 Köln"), ("Bahnhofstrasse", "8001 Zürich"),
                ("Nassaustraat", "2514 JW Den Haag"))  # fmt: skip
#: BBAN layout per country: (letters, digits) counts, in order
_IBAN_SHAPES: dict[str, tuple[tuple[int, int], ...]] = {
    "DE": ((0, 18),), "GB": ((4, 14),), "FR": ((0, 23),), "NL": ((4, 10),), "ES": ((0, 20),),
    "IT": ((1, 22),), "BE": ((0, 12),), "CH": ((0, 17),), "AT": ((0, 16),),
}  # fmt: skip


def _digits(rng: random.Random, k: int) -> str:
    return "".join(rng.choices(string.digits, k=k))


def _alnum(rng: random.Random, k: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(rng.choices(alphabet, k=k))


def make_email(rng: random.Random) -> str:
    first, last = rng.choice(FIRST), rng.choice(LAST).replace(" ", "").replace("'", "")
    local = rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}_{last}{rng.randint(1, 99)}",
                        f"{first}{rng.randint(70, 99)}", f"{last}.{first}+shop"))  # fmt: skip
    ascii_local = unicodedata.normalize("NFKD", local.lower()).encode("ascii", "ignore").decode()
    return f"{ascii_local}@{rng.choice(_MAIL_DOMAINS)}"


def make_phone(rng: random.Random) -> str:
    fmt = rng.choice(_PHONE_FORMATS)
    out = fmt.replace("{a}", rng.choice(_US_AREAS)).replace(
        "{x}", rng.choice("23456789") + _digits(rng, 2)
    )
    for k in (8, 7, 6, 5, 4, 3, 2, 1):
        while "{" + str(k) + "}" in out:
            out = out.replace("{" + str(k) + "}", _digits(rng, k), 1)
    if out.startswith("(") and rng.random() < 0.1:
        out += f" ext. {rng.randint(10, 999)}"
    return out


def make_card(rng: random.Random) -> str:
    brand = rng.choice(("4", "51", "52", "55", "37", "34", "6011", "4"))
    length = 15 if brand in ("34", "37") else 16
    body = brand + _digits(rng, length - len(brand) - 1)
    number = body + luhn_check_digit(body)
    if length == 15:
        groups = [number[:4], number[4:10], number[10:]]
    else:
        groups = [number[i : i + 4] for i in range(0, 16, 4)]
    return rng.choice((" ", "-", "", " ")).join(groups)


def make_ssn(rng: random.Random, sep: str = "-") -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return sep.join((f"{area:03d}", f"{rng.randint(1, 99):02d}", f"{rng.randint(1, 9999):04d}"))


def make_iban(rng: random.Random) -> str:
    country = rng.choice(sorted(_IBAN_SHAPES))
    bban = "".join(
        _alnum(rng, letters, string.ascii_uppercase) + _digits(rng, digits)
        for letters, digits in _IBAN_SHAPES[country]
    )
    assert len(bban) == IBAN_LENGTHS[country] - 4
    compact = country + iban_check_digits(country, bban) + bban
    if rng.random() < 0.3:
        return compact
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def make_ip(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(("192.168.{}.{}", "10.0.{}.{}")).format(
            rng.randint(0, 9), rng.randint(2, 254)
        )
    if roll < 0.3:
        return str(
            ipaddress.IPv6Address((0x2A02 << 112) | rng.getrandbits(80) << 32 | rng.getrandbits(16))
        )
    while True:
        addr = ipaddress.IPv4Address(rng.randint(0x0B000000, 0xDF000000))
        if addr.is_global:
            return str(addr)


def make_url_credentials(rng: random.Random) -> str:
    user = rng.choice(("admin", "deploy", "svc_backup", rng.choice(FIRST).lower(), ""))
    return f"{user}:{_alnum(rng, rng.randint(8, 16))}{rng.choice(('', '!', '_9'))}"


def make_secret(rng: random.Random) -> str:
    kind = rng.randrange(8)
    if kind == 0:
        return "sk-proj-" + _alnum(rng, 48, string.ascii_letters + string.digits + "_-")
    if kind == 1:
        return "AKIA" + _alnum(rng, 16, string.ascii_uppercase + string.digits)
    if kind == 2:
        return "ghp_" + _alnum(rng, 36)
    if kind == 3:
        return "xoxb-" + _digits(rng, 12) + "-" + _digits(rng, 13) + "-" + _alnum(rng, 24)
    if kind == 4:
        return "sk_" + "live_" + _alnum(rng, 24)
    if kind == 5:
        return "AIza" + _alnum(rng, 35, string.ascii_letters + string.digits + "_-")
    if kind == 6:
        parts = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "eyJ" + _alnum(rng, 40), _alnum(rng, 43))
        return ".".join(parts)
    body = "\n".join(_alnum(rng, 64, string.ascii_letters + string.digits + "+/") for _ in range(4))
    return f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"


def make_generic_secret(rng: random.Random) -> str:
    return _alnum(rng, rng.choice((24, 32, 40)), string.ascii_letters + string.digits)


def make_password(rng: random.Random) -> str:
    word = rng.choice(("Summer", "Winter", "Tiger", "Coffee", "Rocket", "Bluebird"))
    return f"{word}{rng.randint(10, 2024)}{rng.choice('!?#$')}"


def make_address(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.2:
        street, tail = rng.choice(_CONTINENTAL)
        return f"{street} {rng.randint(1, 180)}, {tail}"
    number = str(rng.randint(1, 9999)) + ("B" if rng.random() < 0.05 else "")
    street = f"{number} {rng.choice(_STREET_NAMES)} {rng.choice(_SUFFIXES)}"
    if rng.random() < 0.15:
        street += rng.choice((", Apt 4B", ", Suite 200", " Apt. 12"))
    if roll < 0.5:
        city, state = rng.choice(_US_CITIES)
        return f"{street}, {city}, {state} {rng.randint(10000, 99999)}"
    if roll < 0.65:
        city, postcode = rng.choice(_UK_CITIES)
        return f"{street}, {city} {postcode}"
    return street


def make_dob(rng: random.Random) -> str:
    day = date(1940, 1, 1) + timedelta(days=rng.randint(0, 65 * 365))
    fmt = rng.choice(("%m/%d/%Y", "%d.%m.%Y", "%Y-%m-%d", "%B %d, %Y", "%d %B %Y", "%m/%d/%Y"))
    return day.strftime(fmt).replace(" 0", " ")


def make_first(rng: random.Random) -> str:
    return rng.choice(FIRST)


def make_last(rng: random.Random) -> str:
    return rng.choice(LAST)


def make_full(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


_VALUES: dict[str, tuple[str, Maker]] = {
    "email": ("email", make_email),
    "phone": ("phone", make_phone),
    "card": ("credit_card", make_card),
    "ssn": ("us_ssn", make_ssn),
    "iban": ("iban", make_iban),
    "ip": ("ip_address", make_ip),
    "creds": ("url_credentials", make_url_credentials),
    "secret": ("secret", make_secret),
    "key": ("secret", make_generic_secret),
    "password": ("secret", make_password),
    "address": ("street_address", make_address),
    "dob": ("date_of_birth", make_dob),
    "first": ("person", make_first),
    "last": ("person", make_last),
    "full": ("person", make_full),
}

# ---------------------------------------------------------------- near misses (never gold)


def _bad_card(rng: random.Random) -> str:
    body = "4" + _digits(rng, 14)
    bad = str((int(luhn_check_digit(body)) + rng.randint(1, 9)) % 10)
    number = body + bad
    return " ".join(number[i : i + 4] for i in range(0, 16, 4)) if rng.random() < 0.5 else number


_NEAR: dict[str, Maker] = {
    "order": lambda r: r.choice(("#A-", "A", "ORD-2024-", "#")) + _digits(r, r.choice((5, 6, 7))),
    "order_long": lambda r: _digits(r, 10),
    "version": lambda r: f"{r.randint(1, 12)}.{r.randint(0, 20)}.{r.randint(0, 9)}",
    "build": lambda r: f"10.0.{r.randint(17000, 22631)}.{r.randint(1, 3000)}",
    "fw": lambda r: f"{r.randint(1, 4)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(1, 40)}",
    "price": lambda r: r.choice(("$", "€", "£")) + f"{r.randint(1, 2999):,}.{r.choice(('99', '00', '49'))}",
    "date": lambda r: (date(2023, 1, 1) + timedelta(days=r.randint(0, 700))).strftime(
        r.choice(("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%B %d, %Y"))
    ),
    "time": lambda r: f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}" + r.choice(("", ":00", " UTC")),
    "timestamp": lambda r: f"2024-0{r.randint(1, 9)}-1{r.randint(0, 9)}T{r.randint(10, 23)}:{r.randint(10, 59)}:00Z",
    "unix": lambda r: str(r.randint(1_600_000_000, 1_750_000_000)),
    "tracking": lambda r: r.choice(("1Z" + _alnum(r, 16, string.ascii_uppercase + string.digits),
                                    _digits(r, 12), "9400 " + " ".join(_digits(r, 4) for _ in range(4)) + " " + _digits(r, 2))),
    "uuid": lambda r: "-".join(_alnum(r, k, "0123456789abcdef") for k in (8, 4, 4, 4, 12)),
    "hex": lambda r: "#" + _alnum(r, r.choice((3, 6)), "0123456789abcdef"),
    "bad_card": _bad_card,
    "imei": lambda r: "35" + _digits(r, 13),
    "isbn": lambda r: f"978-{r.randint(0, 9)}-{_digits(r, 3)}-{_digits(r, 5)}-{r.randint(0, 9)}",
    "sku": lambda r: f"{_digits(r, 3)}-{_digits(r, 3)}-{_digits(r, 4)}",
    "product": lambda r: r.choice(pools.PRODUCTS),
    "n": lambda r: str(r.randint(2, 30)),
}  # fmt: skip

# ---------------------------------------------------------------- templates
PII_TEMPLATES: tuple[str, ...] = (
    "My email is {email}, can you send the receipt there?",
    "Please use {email} for the account, the old address bounces.",
    "You can reach me at {email} or on {phone}.",
    "cc {email} on the reply please",
    "Done! I've sent a confirmation to {email}.",
    "Call me at {phone} if anything is unclear.",
    "My phone number is {phone}",
    "please call back on {phone} after 5pm",
    "Mobile: {phone}",
    "I tried calling {phone} twice but nobody picked up.",
    "The card {card} was declined again at checkout.",
    "Can you charge it to {card}, exp 09/27?",
    "my credit card number is {card}",
    "For the tax form: my SSN is {ssn}.",
    "Social security number {ssn}, date of birth {dob}.",
    "Please refund to my IBAN {iban}.",
    "IBAN: {iban} (account holder {full})",
    "Our router at {ip} keeps dropping the connection.",
    "I see login attempts from {ip} that weren't me.",
    "my IP is {ip} if that helps",
    "The webhook posts to https://{creds}@hooks.acme-app.net/v1/events and fails with 401.",
    "Our backup job connects with postgres://{creds}@db.internal:5432/orders",
    "Here is the key I'm using: {secret}",
    "I pasted this into the config by mistake:\n{secret}",
    "export ACME_API_KEY={key}",
    "my api token is {key}, is that still valid?",
    "My password is {password} and it still says invalid.",
    "Please ship it to {address}.",
    "My new address is {address}",
    "I moved, the billing address is now {address}.",
    "I was born on {dob}, in case you need it for verification.",
    "DOB: {dob}",
    "Hi, my name is {full} and I ordered a {product} last week.",
    "This is {first} again, any news on my refund?",
    "Thanks, {first}! Your replacement ships within {n} days.",
    "The account is under my husband's name, {full}.",
    "Best regards,\n{full}",
    "Mr. {last} called yesterday about the same order.",
    "Please ask {full} to call me back.",
    "Hello {first}, I'm sorry about the delay with order {order}.",
)
FOREIGN_TEMPLATES: tuple[str, ...] = (
    "Meine E-Mail-Adresse ist {email}, bitte schicken Sie die Rechnung dorthin.",
    "Sie erreichen mich unter {phone}.",
    "Meine IBAN ist {iban}, bitte erstatten Sie den Betrag.",
    "Bitte liefern Sie an {address}.",
    "Ich heiße {full} und warte noch auf meine Bestellung.",
    "Mon adresse e-mail est {email}.",
    "Vous pouvez m'appeler au {phone}.",
    "Je suis né le {dob}.",
    "Mi correo es {email}, gracias.",
    "Mi número de teléfono es {phone}.",
    "Me llamo {full} y tengo un problema con mi pedido.",
)
NEAR_TEMPLATES: tuple[str, ...] = (
    "My order {order} still shows as processing.",
    "Order ID {order_long} was placed on {date} and charged {price}.",
    "The app is on version {version} and it crashes on launch.",
    "Firmware {fw} fixed the pairing issue for most customers.",
    "I'm on Windows build {build}.",
    "It cost {price} but the invoice says {price}.",
    "The delivery window is {date} between {time} and {time}.",
    "The log shows {timestamp} and then a timeout at {time}.",
    "Tracking number: {tracking}",
    "Your request id is {uuid}; quote it if you write back.",
    "The LED should be {hex}, mine looks more like {hex}.",
    "I typed {bad_card} but the form says the card number is invalid.",
    "The IMEI of the phone is {imei}.",
    "The manual is ISBN {isbn}.",
    "Part number {sku} fits the older model too.",
    "Set the netmask to 255.255.255.0 and the gateway to your router.",
    "Start the dev server and open http://127.0.0.1:8080 in the browser.",
    "Event at {unix} in the export, is that seconds?",
    "I bought {n} of the {product} on {date}.",
    "Return it within {n} days of {date} for a full refund.",
    "Wi-Fi Calling was enabled, and Customer Service said to reset the Acme Hub.",
    "May I ask which plan you are on?",
)
FILLER: tuple[str, ...] = (
    "Thanks for your patience.",
    "Let me check that for you.",
    "The {product} stopped working after the update.",
    "Is there anything else I can help with?",
    "I already restarted it twice.",
    "Got it, I'll escalate this to our hardware team.",
    "hi, quick question",
    "That worked, thank you so much!",
)


# ---------------------------------------------------------------- rendering


def render(template: str, rng: random.Random) -> Sample:
    """Fill a template's ``{slots}``: PII slots become gold spans, near-miss slots do not."""
    out: list[str] = []
    spans: list[GoldSpan] = []
    pos = 0
    for literal, slot in _parse(template):
        out.append(literal)
        pos += len(literal)
        if slot is None:
            continue
        if slot in _VALUES:
            pii_type, maker = _VALUES[slot]
            value = maker(rng)
            spans.append(GoldSpan(pos, pos + len(value), pii_type, value))
        else:
            value = _NEAR[slot](rng)
        out.append(value)
        pos += len(value)
    return "".join(out), spans


def _parse(template: str) -> list[tuple[str, str | None]]:
    parts: list[tuple[str, str | None]] = []
    rest = template
    while "{" in rest:
        before, _, after = rest.partition("{")
        slot, _, rest = after.partition("}")
        parts.append((before, slot))
    parts.append((rest, None))
    return parts


def _join(pieces: Sequence[Sample], sep: str = " ") -> Sample:
    text_parts: list[str] = []
    spans: list[GoldSpan] = []
    pos = 0
    for k, (text, piece_spans) in enumerate(pieces):
        if k:
            text_parts.append(sep)
            pos += len(sep)
        spans.extend(GoldSpan(s.start + pos, s.end + pos, s.type, s.text) for s in piece_spans)
        text_parts.append(text)
        pos += len(text)
    return "".join(text_parts), spans


def generate_pii_texts(n: int, seed: int = 0, pii_rate: float = 0.5) -> list[Sample]:
    """``n`` chat turns with gold spans. About ``pii_rate`` of them carry planted PII (one to
    three values, 8% in German, French or Spanish); about 35% carry near misses only; the rest
    are plain support-chat sentences. Deterministic for a given ``seed``."""
    rng = random.Random(seed)
    samples: list[Sample] = []
    for _ in range(n):
        roll = rng.random()
        pieces: list[Sample] = []
        if roll < pii_rate:
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                pool = FOREIGN_TEMPLATES if rng.random() < 0.08 else PII_TEMPLATES
                pieces.append(render(rng.choice(pool), rng))
            if rng.random() < 0.5:
                pieces.append(render(rng.choice(NEAR_TEMPLATES), rng))
        elif roll < pii_rate + 0.35:
            pieces = [render(t, rng) for t in rng.sample(NEAR_TEMPLATES, rng.choice((1, 2)))]
        else:
            pieces = [render(t, rng) for t in rng.sample(FILLER, rng.choice((1, 2)))]
        if rng.random() < 0.4:
            pieces.insert(0, render(rng.choice(FILLER), rng))
        if rng.random() < 0.2:
            rng.shuffle(pieces)
        pieces.sort(key=lambda piece: "\n" in piece[0])  # a signature closes the message
        multiline = any("\n" in piece[0] for piece in pieces)
        samples.append(_join(pieces, "\n" if multiline else rng.choice((" ", " ", "\n"))))
    return samples


def plant_pii(text: str, rng: random.Random, kinds: Sequence[str] | None = None) -> Sample:
    """``text`` with one PII-bearing sentence appended (from ``kinds`` of :data:`PII_TEMPLATES`
    slots, e.g. ``("email", "phone")``; default: any). Only the planted value is labelled:
    PII already in ``text`` is not."""
    templates = [
        t for t in PII_TEMPLATES if kinds is None or any("{" + k + "}" in t for k in kinds)
    ]
    if not templates:
        raise ValueError(f"no template plants {kinds}; slots: {', '.join(sorted(_VALUES))}")
    planted = render(rng.choice(templates), rng)
    if not text:
        return planted
    return _join([(text, []), planted], "\n" if "\n" in text else " ")
