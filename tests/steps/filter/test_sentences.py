"""The helpers the quality filters share."""

from __future__ import annotations

import random

import pytest

from ftprep.steps.filter.sentences import Needles, contains_any

NEEDLES = ("<", "[INST]", "##", "Human", "User", "USER", "HUMAN", "error", "went wrong", "é")


def test_needles_find_what_contains_any_finds() -> None:
    rng = random.Random(7)
    alphabet = "aehnmrsuwo <#[]INSTUHER\né"
    texts = ["", "plain text without any", "an error", "[INST] do", "## Title", "Ärger é"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    needles = Needles(NEEDLES)
    for text in texts:
        assert needles(text) == contains_any(text, NEEDLES), text


def test_needles_with_a_rare_character_are_tested_only_when_it_occurs() -> None:
    needles = Needles(NEEDLES)
    assert needles.plain == ("error", "went wrong")
    assert dict(needles.keyed) == {
        "<": ("<",),
        "[": ("[INST]",),
        "#": ("##",),
        "H": ("Human", "HUMAN"),
        "U": ("User", "USER"),
        "é": ("é",),
    }
    with pytest.raises(ValueError, match="empty"):
        Needles(["ok", ""])
