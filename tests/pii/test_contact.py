import pytest

from ftprep.pii import PiiDetector

from .conftest import found

pytest.importorskip("phonenumbers")  # the pii extra


@pytest.mark.parametrize(
    "value",
    [
        "LeaVLind@superrito.com",
        "jane.doe+shop@mail.example.co.uk",
        "o'brien@example.org".replace("'", ""),
        "josé.garcía@correo.es",
        "user_42@sub-domain.example.io",
    ],
)
def test_emails(detector: PiiDetector, value: str) -> None:
    assert found(detector, f"What's your email? {value}.") == [("email", value)]


@pytest.mark.parametrize(
    "text",
    [
        "ping @jane on slack",
        "install npm@1.2.3 first",
        "mail user@localhost",
        "git clone git@github.com:org/repo.git",
        "decorate with @property",
        "price @ 3.99 each",
    ],
)
def test_email_near_misses(detector: PiiDetector, text: str) -> None:
    assert not [t for t, _ in found(detector, text) if t == "email"]


def test_url_credentials_keep_the_host(detector: PiiDetector) -> None:
    text = "connect with postgres://admin:S3cr3t!@db.internal:5432/app"
    assert found(detector, text) == [("url_credentials", "admin:S3cr3t!")]
    assert found(detector, "redis://:hunter22@cache:6379") == [("url_credentials", ":hunter22")]


def test_plain_urls_are_not_pii(detector: PiiDetector) -> None:
    assert found(detector, "Just posted a photo http://www.DialForum.co.uk/") == []
