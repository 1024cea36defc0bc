"""Template slots for one conversation: one fake customer, one order, one moment in time.

All values are strings ready for ``str.format``. Dates hang together: ``created_at`` is when the
chat happened, ``{date}`` lies a few days before it, ``{eta}`` a few days after, ``{today}`` is the
chat's day (for dated system prompts), and each has localized twins for the non-English chats.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import UTC, date, datetime, timedelta

from ftprep.demo import i18n, pools

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def draw_slots(rng: random.Random) -> dict[str, str]:
    """Every slot a template may use."""
    return {**person_slots(rng), **order_slots(rng), **time_slots(rng)}


def person_slots(rng: random.Random) -> dict[str, str]:
    """The customer: name, contact details (fake), address, phone model, card..."""
    first, last = rng.choice(pools.FIRST_NAMES), rng.choice(pools.LAST_NAMES)
    handle = rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}{rng.randint(1, 99)}"))
    phone = rng.choice(pools.PHONE_FORMATS)
    return {
        "name": first,
        "full_name": f"{first} {last}",
        "email": f"{_ascii(handle).lower()}@{rng.choice(pools.EMAIL_DOMAINS)}",
        "phone": phone.format(rng.randint(0, 999 if "{:03d}" in phone else 99)),
        "last4": f"{rng.randint(0, 9999):04d}",
        "city": rng.choice(pools.CITIES),
        "street": rng.choice(pools.STREETS),
        "zip": f"{rng.randint(10000, 99999)}",
        "device": rng.choice(pools.DEVICES),
        "app_version": rng.choice(pools.APP_VERSIONS),
        "error_code": rng.choice(pools.ERROR_CODES),
        "plan": rng.choice(pools.PLANS),
        "ip": f"{rng.choice(pools.IP_PREFIXES)}{rng.randint(1, 254)}",
        "days": str(rng.randint(3, 14)),
    }


def order_slots(rng: random.Random) -> dict[str, str]:
    """One order and one ticket; drawn again when a customer raises a second issue."""
    carrier = rng.choice(pools.CARRIERS)
    if carrier == "UPS":
        tracking = f"1Z{rng.getrandbits(64):016X}"
    else:
        tracking = str(rng.randint(10**11, 10**12 - 1))
    return {
        "order_id": f"A{rng.randint(10000, 99999)}",
        "amount": f"${rng.randint(9, 499)}.{rng.choice(('99', '49', '00', '95'))}",
        "product": rng.choice(pools.PRODUCTS),
        "gadget": rng.choice(pools.GADGETS),
        "camera": rng.choice(pools.CAMERAS),
        "carrier": carrier,
        "tracking": tracking,
        "invoice_id": f"INV-2024-{rng.randint(10000, 99999)}",
        "ticket_id": f"CS-{rng.randint(100000, 999999)}",
    }


def time_slots(rng: random.Random) -> dict[str, str]:
    """When the chat happened, a past date, a future date, and a carrier's last scan."""
    created = EPOCH + timedelta(seconds=rng.randrange(366 * 86400))
    past = (created - timedelta(days=rng.randint(1, 10))).date()
    eta = (created + timedelta(days=rng.randint(1, 4))).date()
    scan = created - timedelta(minutes=rng.randint(90, 1800))
    day = created.date()
    return {
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scan_time": scan.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "today": f"{_weekday_en(day)}, {pools.MONTHS[day.month - 1]} {day.day}, {day.year}",
        "date": f"{pools.MONTHS[past.month - 1]} {past.day}",
        "eta": f"{_weekday_en(eta)}, {pools.MONTHS[eta.month - 1]} {eta.day}",
        "date_fr": f"{past.day} {i18n.MONTHS_FR[past.month - 1]}",
        "eta_fr": f"{i18n.WEEKDAYS_FR[eta.weekday()]} {eta.day} {i18n.MONTHS_FR[eta.month - 1]}",
        "eta_de": f"{i18n.WEEKDAYS_DE[eta.weekday()]}, {eta.day}. {i18n.MONTHS_DE[eta.month - 1]}",
        "date_zh": f"{past.month}月{past.day}日",
        "eta_zh": f"{eta.month}月{eta.day}日（{i18n.WEEKDAYS_ZH[eta.weekday()]}）",
    }


def _weekday_en(day: date) -> str:
    return pools.WEEKDAYS[day.weekday()]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
