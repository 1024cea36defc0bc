"""Consistent fake values: the same real value always gets the same fake.

A fake is derived, never stored: a keyed BLAKE2b hash of (seed, scope key, type, normalized
value) seeds a private :class:`random.Random` (and Faker, for names and streets). So every
worker process and shard computes the same fake for the same value with no shared state. With
``scope="conversation"`` the scope key is the conversation's key (the same e-mail gets
different fakes in different conversations); with ``scope="dataset"`` there is none.

Fakes keep the look of their type: e-mails are valid addresses (on reserved example domains),
cards pass Luhn with the original's issuer prefix, IBANs pass mod-97 for the same country,
phones keep their country code and layout and stay valid when the original was, SSNs follow
the SSA's rules, dates keep their layout. A fake never equals its original.

A secret salt makes fakes of low-entropy values (phones, SSNs) impossible to reverse by
enumerating candidates; without one, anyone with the seed can.
"""

from __future__ import annotations

import hashlib
import ipaddress
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ftprep.errors import MissingExtraError
from ftprep.pii import fakes
from ftprep.pii.dates import parse_date, reformat_date

SCOPES: tuple[str, ...] = ("conversation", "dataset")
_CACHE_LIMIT = 100_000


def salt_key(salt: bytes | str) -> bytes:
    """A BLAKE2b key (at most 64 bytes) from a salt of any length."""
    raw = salt.encode() if isinstance(salt, str) else bytes(salt)
    return raw if len(raw) <= 64 else hashlib.blake2b(raw).digest()


def normalize(pii_type: str, value: str) -> str:
    """The form under which two spellings of one value count as the same value."""
    if pii_type in ("phone", "credit_card", "us_ssn"):
        digits = "".join(c for c in value if c.isdigit())
        return "+" + digits if value.startswith("+") else digits
    if pii_type == "iban":
        return "".join(value.split()).upper()
    if pii_type == "ip_address":
        try:
            return ipaddress.ip_address(value).compressed
        except ValueError:
            return value.lower()
    if pii_type in ("email", "person", "street_address"):
        return " ".join(value.casefold().split())
    if pii_type == "date_of_birth":
        day = parse_date(value)
        return day.isoformat() if day is not None else value
    return value


class Pseudonymizer:
    """Derives fakes; see the module docstring. Not thread-safe (one per worker)."""

    def __init__(
        self,
        seed: int = 0,
        salt: bytes | str = b"",
        scope: str = "conversation",
        locale: str = "en_US",
    ) -> None:
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}; known: {', '.join(SCOPES)}")
        self.seed = seed
        self.scope = scope
        self._key = salt_key(salt)
        self._faker = _make_faker(locale)
        self._cache: dict[tuple[str, str, str], str] = {}

    def fake(self, pii_type: str, value: str, key: str = "") -> str:
        """The fake for ``value`` of ``pii_type`` within the conversation ``key``."""
        scope_key = key if self.scope == "conversation" else ""
        if pii_type == "person":
            return self._fake_person(value, scope_key)
        norm = normalize(pii_type, value)
        cached = self._cache.get((scope_key, pii_type, value))
        if cached is not None:
            return cached
        rng = self._rng(scope_key, pii_type, norm)
        maker = _MAKERS.get(pii_type, fakes.fake_secret)
        result = value
        for _ in range(8):  # a fake equal to the original is drawn again
            result = maker(value, rng, self._faker)
            if normalize(pii_type, result) != norm:
                break
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[(scope_key, pii_type, value)] = result
        return result

    def _rng(self, scope_key: str, pii_type: str, norm: str) -> random.Random:
        message = "\x1f".join((str(self.seed), scope_key, pii_type, norm)).encode()
        digest = hashlib.blake2b(message, key=self._key, digest_size=16).digest()
        n = int.from_bytes(digest, "big")
        self._faker.seed_instance(n)
        return random.Random(n)

    def _fake_person(self, value: str, scope_key: str) -> str:
        """Token by token, so "Jane Doe", "Jane" and "Mr. Doe" stay consistent: a first token
        (or a lone listed first name) gets a fake first name, other tokens a fake surname."""
        tokens = value.split()
        out = []
        for i, token in enumerate(tokens):
            role = fakes.name_role(token, i, len(tokens))
            rng = self._rng(scope_key, f"person.{role}", token.casefold())
            out.append(fakes.fake_name_token(token, role, rng, self._faker))
        return _rejoin(value, tokens, out)


def _rejoin(value: str, old: list[str], new: list[str]) -> str:
    """``value`` with each whitespace-separated token replaced, whitespace kept."""
    out, pos = [], 0
    for o, n in zip(old, new, strict=True):
        start = value.index(o, pos)
        out.append(value[pos:start])
        out.append(n)
        pos = start + len(o)
    out.append(value[pos:])
    return "".join(out)


def _make_faker(locale: str) -> Any:
    try:
        from faker import Faker
    except ImportError as exc:
        raise MissingExtraError("pseudonymization", "pii", "faker") from exc
    return Faker(locale)


def _fake_date(value: str, rng: random.Random, faker: Any) -> str:
    day = parse_date(value)
    if day is None:
        return fakes.fake_secret(value, rng, faker)
    shift = rng.randint(30, 2000) * rng.choice((-1, 1))
    return reformat_date(value, day + timedelta(days=shift)) or value


_MAKERS: dict[str, Callable[[str, random.Random, Any], str]] = {
    "email": fakes.fake_email,
    "phone": fakes.fake_phone,
    "credit_card": fakes.fake_card,
    "us_ssn": fakes.fake_ssn,
    "iban": fakes.fake_iban,
    "ip_address": fakes.fake_ip,
    "url_credentials": fakes.fake_url_credentials,
    "secret": fakes.fake_secret,
    "street_address": fakes.fake_street,
    "date_of_birth": _fake_date,
}
