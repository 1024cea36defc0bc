import pytest

from ftprep.pii import PiiDetector

from .conftest import found

pytest.importorskip("phonenumbers")  # the pii extra


@pytest.mark.parametrize(
    "text, names",
    [
        ("Mr. Fernandez is a 50 year old man", ["Fernandez"]),
        ("correct it to Mrs. Amy Kupcová?", ["Amy Kupcová"]),
        ("join accounts with ms. Wijtze", ["Wijtze"]),
        ("My name is Patricia Jeknić but everyone calls me Lauren", ["Patricia Jeknić", "Lauren"]),
        ("It's under my partner's name Brian Andersson", ["Brian Andersson"]),
        ("Bruce Alexander will be talking", ["Bruce Alexander"]),
        ("Hi Priya, your order shipped", ["Priya"]),
        ("Thanks, Kwame! Your replacement ships soon", ["Kwame"]),
        ("Best regards,\nSiobhan Okonkwo", ["Siobhan Okonkwo"]),
        ("Please ask Elena van der Berg to call", ["Elena van der Berg"]),
        ("Ich heiße Nkechi Jensen und warte", ["Nkechi Jensen"]),
        ("Melissa Kristoffersen's Cautionary Tales", ["Melissa Kristoffersen"]),
    ],
)
def test_person_rules(detector: PiiDetector, text: str, names: list[str]) -> None:
    assert [v for t, v in found(detector, text) if t == "person"] == names


@pytest.mark.parametrize(
    "text",
    [
        "Capitalized words like Wisdom and Discipline are often mistaken with names.",
        "Will Acme ship it today?",
        "May I ask which plan you are on?",
        "Customer Service said to reset the Acme Hub.",
        "Hello World!",
        "I'm Happy with it",
        "call me ASAP",
        "Grace period ends Monday",
    ],
)
def test_person_near_misses(detector: PiiDetector, text: str) -> None:
    assert not [t for t, _ in found(detector, text) if t == "person"]


def test_ner_none_disables_persons() -> None:
    assert PiiDetector(ner="none").detect("My name is Jane Doe") == []
