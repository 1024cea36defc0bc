from datetime import date

import pytest

from ftprep.pii import PiiDetector
from ftprep.pii.dates import parse_date, reformat_date

from .conftest import found

pytest.importorskip("phonenumbers")  # the pii extra


@pytest.mark.parametrize(
    "text, value",
    [
        ("She was born on 12/27/1986. Her maiden name is X", "12/27/1986"),
        ("DOB: 1980-11-15", "1980-11-15"),
        ("date of birth 14.03.1988", "14.03.1988"),
        ("my birthday is March 14, 1988", "March 14, 1988"),
        ("12/27/1986 is my date of birth", "12/27/1986"),
        ("Je suis né le 3 mars 1975.", "3 mars 1975"),
    ],
)
def test_dates_of_birth(detector: PiiDetector, text: str, value: str) -> None:
    assert ("date_of_birth", value) in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "It's like that since 12/1/1977",
        "When: 1998-06-28 14:48:14",
        "Order placed 2024-03-01. I was born in Ohio.",
        "DOB: August 28, 1954 I bought 24 desks on 08/09/2024.",  # only the first date
        "Adobe 2023-05-01 release",
        "born on 2099-01-01",  # in the future
    ],
)
def test_plain_dates_are_not_birth_dates(detector: PiiDetector, text: str) -> None:
    dobs = [v for t, v in found(detector, text) if t == "date_of_birth"]
    assert dobs in ([], ["August 28, 1954"])


def test_parse_and_reformat_keep_layout() -> None:
    assert parse_date("12/27/1986") == date(1986, 12, 27)
    assert parse_date("27.12.1986") == date(1986, 12, 27)
    assert parse_date("31/02/1986") is None
    new = date(1990, 1, 5)
    assert reformat_date("12/27/1986", new) == "01/05/1990"
    assert reformat_date("27.12.1986", new) == "05.01.1990"
    assert reformat_date("1986-12-27", new) == "1990-01-05"
    assert reformat_date("March 14, 1988", new) == "January 5, 1990"
    assert reformat_date("14 MAR 1988", new) == "5 JAN 1990"
    assert reformat_date("3 mars 1975", new) == "5 janvier 1990"
