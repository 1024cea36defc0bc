import random
import string

import pytest

from ftprep.pii import PiiDetector

from .conftest import found

pytest.importorskip("phonenumbers")  # the pii extra

rng = random.Random(7)


def rand(k: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(rng.choices(alphabet, k=k))


# built from pieces at run time: no provider-shaped literal sits in the repository
TOKENS = [
    "sk-" + "proj-" + rand(48),
    "AK" + "IA" + rand(16, string.ascii_uppercase + string.digits),
    "gh" + "p_" + rand(36),
    "github" + "_pat_" + rand(22) + "_" + rand(59),
    "xo" + "xb-" + rand(12, string.digits) + "-" + rand(13, string.digits) + "-" + rand(24),
    "sk" + "_live_" + rand(24),
    "AI" + "za" + rand(35),
    "ey" + "JhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + "ey" + "J" + rand(40) + "." + rand(43),
]


@pytest.mark.parametrize("token", TOKENS)
def test_provider_tokens(detector: PiiDetector, token: str) -> None:
    assert found(detector, f"here it is: {token} thanks") == [("secret", token)]


def test_private_key_block(detector: PiiDetector) -> None:
    body = "\n".join(rand(64) for _ in range(3))
    block = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    assert found(detector, f"oops:\n{block}\nsorry") == [("secret", block)]


@pytest.mark.parametrize(
    "text, value",
    [
        ("export ACME_API_KEY=Gx7kP2qLm9Zt4Rb8Vn3Yc6Wd", "Gx7kP2qLm9Zt4Rb8Vn3Yc6Wd"),
        ("my api token is ILyKqIRgJCcnZNNYunSAkmpl, still valid?", "ILyKqIRgJCcnZNNYunSAkmpl"),
        ('"client_secret": "9f8e7d6c5b4a39281706f5e4d3c2b1a0"', "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
        ("My password is Summer2024! and it fails", "Summer2024!"),
        ("DB_PASSWORD=hunter2x9", "hunter2x9"),
        ("Mon mot de passe est Soleil2023", "Soleil2023"),
    ],
)
def test_generic_secrets(detector: PiiDetector, text: str, value: str) -> None:
    assert ("secret", value) in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "the key features of the product",
        "my password is wrong",
        "reset your password via the link",
        "request id 550e8400-e29b-41d4-a716-446655440000",
        "token: ABCDEFGHIJKLMNOPQRSTUVWX",  # a word, not random
        "monkey=abcdefghij1234567890",  # not a key cue
        "the task-123 list",
        "Never ask for full card numbers or passwords.",
    ],
)
def test_secret_near_misses(detector: PiiDetector, text: str) -> None:
    assert not [t for t, _ in found(detector, text) if t == "secret"]
