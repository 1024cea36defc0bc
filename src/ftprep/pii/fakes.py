"""Fake value makers, one per entity type: ``maker(original, rng, faker) -> fake``.

Each keeps the original's layout (separators, spacing, case) and validity rules; the
:class:`~ftprep.pii.pseudonym.Pseudonymizer` seeds ``rng`` and ``faker`` so that the result is
a pure function of the original (and seed, salt and scope key).
"""

from __future__ import annotations

import ipaddress
import random
import re
import string
from typing import Any

from ftprep.pii.address import CONTINENTAL_ENDINGS
from ftprep.pii.checksums import iban_check_digits, luhn_check_digit
from ftprep.pii.firstnames import FIRST_NAMES

#: Domains reserved for documentation (RFC 2606): a fake address can never reach anyone.
EXAMPLE_DOMAINS: tuple[str, ...] = ("example.com", "example.org", "example.net")
SECRET_PREFIXES: tuple[str, ...] = (
    "sk-proj-", "sk-ant-", "sk-", "sk_live_", "sk_test_", "rk_live_", "rk_test_", "AKIA",
    "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xoxb-", "xoxp-", "xoxa-",
    "xoxr-", "xoxs-", "xoxo-", "AIza", "eyJ",
)  # fmt: skip
_EXTENSION = re.compile(r"(?i)\s?(?:x|ext\.?|extension|#)\s?[0-9]+$")
_PRIVATE_V4 = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")


def substitute_digits(template: str, digits: str) -> str:
    """``template`` with its digits replaced, in order, by ``digits``."""
    it = iter(digits)
    return "".join(next(it) if c.isdigit() else c for c in template)


def scramble(value: str, rng: random.Random, keep: int = 0) -> str:
    """Each letter or digit after the first ``keep`` characters replaced by a random one of
    the same class (digit, lower, upper); everything else kept."""
    out = list(value[:keep])
    for c in value[keep:]:
        if c.isdigit():
            out.append(rng.choice(string.digits))
        elif c.isascii() and c.islower():
            out.append(rng.choice(string.ascii_lowercase))
        elif c.isascii() and c.isupper():
            out.append(rng.choice(string.ascii_uppercase))
        else:
            out.append(c)
    return "".join(out)


def fake_email(value: str, rng: random.Random, faker: Any) -> str:
    return f"{faker.user_name()}@{rng.choice(EXAMPLE_DOMAINS)}"


def fake_phone(value: str, rng: random.Random, faker: Any) -> str:
    """Same country code and layout; valid in the original's region whenever the original
    was valid (libphonenumber)."""
    from ftprep.pii import phones

    ext = _EXTENSION.search(value)
    main = value[: ext.start()] if ext else value
    digits = "".join(c for c in main if c.isdigit())
    keep = _phone_prefix_length(main, digits)
    region = phones.phone_region(phones.normalize_phone(main), phones.DEFAULT_REGIONS)
    candidate = main
    for _ in range(60):
        rest = rng.choice("23456789") + "".join(
            rng.choices(string.digits, k=len(digits) - keep - 1)
        )
        candidate = substitute_digits(main, digits[:keep] + rest)
        if region is None or phones.valid_in_region(phones.normalize_phone(candidate), region):
            break
    if ext is None:
        return candidate
    tail = value[ext.start() :]
    return candidate + substitute_digits(tail, "".join(rng.choices(string.digits, k=len(tail))))


def _phone_prefix_length(main: str, digits: str) -> int:
    """Digits kept as they are: the country code (``+44``/``0044``) or a trunk ``0``/``1``."""
    import phonenumbers

    stripped = main.lstrip()
    if stripped.startswith(("+", "00")):
        lead = 0 if stripped.startswith("+") else 2
        try:
            number = phonenumbers.parse("+" + digits[lead:], None)
            return min(lead + len(str(number.country_code)), len(digits) - 4)
        except phonenumbers.NumberParseException:
            return min(lead + 1, len(digits) - 4)
    return 1 if digits[:1] in ("0", "1") else 0


def fake_card(value: str, rng: random.Random, faker: Any) -> str:
    """Same issuer prefix (first four digits) and length, random middle, valid Luhn digit."""
    digits = "".join(c for c in value if c.isdigit())
    body = digits[:4] + "".join(rng.choices(string.digits, k=len(digits) - 5))
    return substitute_digits(value, body + luhn_check_digit(body))


def fake_ssn(value: str, rng: random.Random, faker: Any) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    new = f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"
    return substitute_digits(value, new)


def fake_iban(value: str, rng: random.Random, faker: Any) -> str:
    """Same country and length, random BBAN of the same letter/digit pattern, valid mod-97."""
    compact = "".join(value.split()).upper()
    country = compact[:2]
    bban = "".join(
        rng.choice(string.digits) if c.isdigit() else rng.choice(string.ascii_uppercase)
        for c in compact[4:]
    )
    new = iter(country + iban_check_digits(country, bban) + bban)
    return "".join(next(new) if not c.isspace() else c for c in value)


def fake_ip(value: str, rng: random.Random, faker: Any) -> str:
    """IPv4: a private address stays in its private block, a public one gets a random global
    address. IPv6: a random global unicast address."""
    addr = ipaddress.ip_address(value)
    if addr.version == 6:
        return str(ipaddress.IPv6Address((0x2001 << 112) | rng.getrandbits(112)))
    for block in _PRIVATE_V4:
        net = ipaddress.IPv4Network(block)
        if addr in net:
            return str(net.network_address + rng.randint(1, net.num_addresses - 2))
    while True:
        candidate = ipaddress.IPv4Address(rng.randint(0x01000000, 0xDFFFFFFF))
        if candidate.is_global:
            return str(candidate)


def fake_url_credentials(value: str, rng: random.Random, faker: Any) -> str:
    user, _, password = value.partition(":")
    return f"{faker.user_name() if user else ''}:{scramble(password, rng)}"


def fake_secret(value: str, rng: random.Random, faker: Any) -> str:
    """Same provider prefix, length and character classes; PEM armour lines kept."""
    if value.startswith("-----BEGIN"):
        first, _, rest = value.partition("\n")
        body, _, last = rest.rpartition("\n")
        return f"{first}\n{scramble(body, rng)}\n{last}"
    keep = next((len(p) for p in SECRET_PREFIXES if value.startswith(p)), 0)
    fake = scramble(value, rng, keep)
    if value.startswith("eyJ") and ".eyJ" in value:  # keep a JWT's payload header too
        dot = value.index(".eyJ")
        fake = fake[:dot] + ".eyJ" + fake[dot + 4 :]
    return fake


def fake_street(value: str, rng: random.Random, faker: Any) -> str:
    """US/UK layout: number, street, and a city / state + ZIP when the original had them;
    continental layout (``Hauptstraße 5``): a surname + the same street ending + a number."""
    if not value[:1].isdigit():
        word = value.split()[0]
        ending = next((e for e in CONTINENTAL_ENDINGS if word.lower().endswith(e)), "straße")
        return f"{faker.last_name()}{ending} {rng.randint(1, 199)}"
    street = f"{faker.building_number()} {faker.street_name()}"
    if "," not in value:
        return street
    tail = value.rsplit(",", 1)[1]
    if re.search(r"[0-9]", tail):
        return f"{street}, {faker.city()}, {faker.state_abbr()} {faker.zipcode()}"
    return f"{street}, {faker.city()}"


def name_role(token: str, index: int, count: int) -> str:
    """ "first" for the first of several tokens or a lone listed first name, else "last"."""
    if count > 1:
        return "first" if index == 0 else "last"
    return "first" if token in FIRST_NAMES else "last"


def fake_name_token(token: str, role: str, rng: random.Random, faker: Any) -> str:
    name = str(faker.first_name() if role == "first" else faker.last_name())
    if name.casefold() == token.casefold():
        name = str(faker.first_name() if role == "first" else faker.last_name())
    if token.isupper():
        return name.upper()
    return name.lower() if token.islower() else name
