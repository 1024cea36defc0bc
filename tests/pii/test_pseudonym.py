import ipaddress
import re
import subprocess
import sys

import pytest

from ftprep.pii import Anonymizer, PiiDetector, PiiSpan
from ftprep.pii.checksums import iban_valid, luhn_valid, ssn_valid
from ftprep.pii.dates import parse_date
from ftprep.pii.pseudonym import Pseudonymizer

phonenumbers = pytest.importorskip("phonenumbers")
pytest.importorskip("faker")

ORIGINALS = {
    "email": "jane.doe@example.com",
    "phone": "(212) 555-0123",
    "credit_card": "4532-2766-4457-7020",
    "us_ssn": "531-21-7351",
    "iban": "GB82 WEST 1234 5698 7654 32",
    "ip_address": "58.74.121.78",
    "url_credentials": "admin:S3cr3t!",
    "secret": "sk-" + "proj-" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6",
    "street_address": "742 Evergreen Terrace, Springfield, IL 62704",
    "date_of_birth": "12/27/1986",
    "person": "Jane Doe",
}


@pytest.fixture(scope="module")
def pseudo() -> Pseudonymizer:
    return Pseudonymizer(seed=3, salt=b"pepper")


def test_fakes_look_like_their_type(pseudo: Pseudonymizer) -> None:
    fakes = {t: pseudo.fake(t, v, "conv-1") for t, v in ORIGINALS.items()}
    for kind, fake in fakes.items():
        assert fake != ORIGINALS[kind], kind
    assert re.fullmatch(r"[\w.+-]+@example\.(com|org|net)", fakes["email"])
    assert re.fullmatch(r"\(\d{3}\) \d{3}-\d{4}", fakes["phone"])
    assert phonenumbers.is_valid_number(phonenumbers.parse(fakes["phone"], "US"))
    assert re.fullmatch(r"4532-\d{4}-\d{4}-\d{4}", fakes["credit_card"])
    assert luhn_valid(fakes["credit_card"].replace("-", ""))
    assert re.fullmatch(r"\d{3}-\d{2}-\d{4}", fakes["us_ssn"])
    assert ssn_valid(fakes["us_ssn"].replace("-", ""))
    assert fakes["iban"].startswith("GB") and len(fakes["iban"]) == len(ORIGINALS["iban"])
    assert iban_valid(fakes["iban"].replace(" ", ""))
    assert ipaddress.ip_address(fakes["ip_address"]).is_global
    assert fakes["url_credentials"].count(":") == 1
    assert fakes["secret"].startswith("sk-proj-")
    assert len(fakes["secret"]) == len(ORIGINALS["secret"])
    assert re.match(r"\d+ \w", fakes["street_address"])
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", fakes["date_of_birth"])
    assert parse_date(fakes["date_of_birth"]) is not None
    assert len(fakes["person"].split()) == 2


def test_international_phone_keeps_country_and_validity(pseudo: Pseudonymizer) -> None:
    for original in ("+44 20 7946 0958", "+49 151 23456789", "+33 6 12 34 56 78"):
        fake = pseudo.fake("phone", original, "k")
        assert fake[:3] == original[:3] and len(fake) == len(original)
        assert phonenumbers.is_valid_number(phonenumbers.parse(fake, None))


def test_private_ip_stays_private_and_ipv6_stays_ipv6(pseudo: Pseudonymizer) -> None:
    assert ipaddress.ip_address(pseudo.fake("ip_address", "192.168.1.20", "k")).is_private
    assert ipaddress.ip_address(pseudo.fake("ip_address", "2001:db8::1", "k")).version == 6


def test_consistent_within_a_conversation(detector: PiiDetector) -> None:
    anon = Anonymizer("pseudonymize", seed=1, salt=b"s")
    turns = [
        "Hi, my name is Jane Doe, mail jane.doe@example.com",
        "Thanks Jane! I'll write to Jane.Doe@Example.com today.",
        "Ms. Doe, your card 4532 2766 4457 7020 is fine; 4532-2766-4457-7020 too.",
    ]
    out = [anon.apply(t, detector.detect(t), key="conv-1") for t in turns]
    fake_email = re.search(r"\S+@example\.\w+", out[0])
    assert fake_email is not None
    assert fake_email.group().lower() in out[1].lower()
    first, last = out[0].split("my name is ")[1].split(",")[0].split()
    assert f"Thanks {first}!" in out[1]
    assert f"Ms. {last}," in out[2]
    cards = re.findall(r"\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4}", out[2])
    assert cards[0].replace(" ", "") == cards[1].replace("-", "")


def test_scope_conversation_vs_dataset() -> None:
    conv = Pseudonymizer(seed=0, scope="conversation")
    data = Pseudonymizer(seed=0, scope="dataset")
    value = "jane.doe@example.com"
    assert conv.fake("email", value, "a") == conv.fake("email", value, "a")
    assert conv.fake("email", value, "a") != conv.fake("email", value, "b")
    assert data.fake("email", value, "a") == data.fake("email", value, "b")
    assert Pseudonymizer(seed=1).fake("email", value, "a") != conv.fake("email", value, "a")
    assert Pseudonymizer(salt=b"x").fake("email", value, "a") != conv.fake("email", value, "a")


SCRIPT = """
from ftprep.pii import Anonymizer, PiiSpan
a = Anonymizer("pseudonymize", seed=42, salt=b"k")
for t, v in {items!r}:
    print(a.replacement(PiiSpan(0, len(v), t, v, 1.0), key="conv-9"))
"""


def test_deterministic_across_processes() -> None:
    items = sorted(ORIGINALS.items())
    a = Anonymizer("pseudonymize", seed=42, salt=b"k")
    here = [a.replacement(PiiSpan(0, len(v), t, v, 1.0), key="conv-9") for t, v in items]
    code = SCRIPT.format(items=items)
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    for run in runs:
        assert run.stdout.splitlines() == here
