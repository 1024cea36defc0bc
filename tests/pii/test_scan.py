"""The fast paths of detection (:mod:`ftprep.pii.scan`, :mod:`ftprep.pii.candidates`, the
result cache) against the plain patterns they stand for: each must find the same things."""

import random
import re

import pytest

from ftprep.demo import iter_clean_chats
from ftprep.demo.pii import generate_pii_texts
from ftprep.pii import PiiDetector, scan
from ftprep.pii.candidates import _CLUSTER_START, _REST, candidate_pattern
from ftprep.pii.detector import ResultCache
from ftprep.pii.scan import NAME_ANCHOR, NUMBER_CLUSTER, TextScan, fold, word_cues
from ftprep.pii.trie import trie_alternation, trie_pattern

pytest.importorskip("phonenumbers")  # the pii extra

#: the cue scan before the folded search: one trie regex over " " + the lower-cased text
_PLAIN_CUES = re.compile("[^a-z](" + trie_pattern(scan._CUE_FAMILY) + ")")


def _plain_cues(text: str) -> dict[str, list[tuple[int, int]]]:
    """The plain scan, resuming after the letters of each cue: a cue that ends in punctuation
    ("mr.", "sk-") does not hide a cue glued to it."""
    cues: dict[str, list[tuple[int, int]]] = {}
    padded = " " + TextScan(text).low
    m = _PLAIN_CUES.search(padded)
    while m is not None:
        cue = m.group(1)
        cues.setdefault(scan._CUE_FAMILY[cue], []).append((m.start(1) - 1, m.end(1) - 1))
        letters = len(fold(cue).split(b" ")[0])
        m = _PLAIN_CUES.search(padded, m.start(1) + letters)
    return cues


def _texts() -> list[str]:
    texts = [text for text, _ in generate_pii_texts(600, seed=11)]
    for record in iter_clean_chats(120, seed=3):
        texts += [m["content"] for m in record["messages"] if isinstance(m.get("content"), str)]
    return texts


_SEPARATORS = [
    " ",
    "  ",
    ", ",
    "\n",
    "(",
    ")",
    "-",
    ".",
    "/",
    "_",
    ":",
    "=",
    "\u00a0",
    "é",
    "👋",
    "",
]
_WORDS = [
    "pass", "Password", "API_KEY", "token", "Bearer", "auth", "name", "Call", "holder", "mr.",
    "Ms.", "Dr", "DOB", "d.o.b", "born", "né le", "nata il", "contraseña", "sk-", "xoxb-",
    "eyJ", "AKIA", "Jane", "Doe", "My name is", "Zoë", "José", "12", "4", "555", "0123", "2024",
    "(212)", "58.74.121.78", "fe80::1", "DE89", "742", "Evergreen", "Terrace", "market", "street",
    "Hauptstraße", "St", "x", "İstanbul", "straat", "ring", "Ave", "N.", "1st",
]  # fmt: skip


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(_WORDS) + rng.choice(_SEPARATORS) for _ in range(rng.randint(1, 12)))
        for _ in range(n)
    ]


def test_fold_keeps_offsets() -> None:
    text = "Grüße 👋 İstanbul, Mr.Kelvin\u212a 12"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == b"gr  e    stanbul  mr kelvin    "


def test_cues_match_the_plain_scan() -> None:
    for text in _texts() + _random_texts(3000, seed=1):
        assert TextScan(text).cues == _plain_cues(text), text


def test_a_cue_may_follow_a_cue_that_ends_in_punctuation() -> None:
    """The plain trie scan consumed the character before a cue, so "sk-Password" hid the
    password cue behind the provider cue; the folded scan finds both."""
    assert TextScan("sk-Password: hunter22").cues == {"provider": [(0, 3)], "password": [(3, 7)]}


def test_name_anchors_match_the_plain_scan() -> None:
    pattern = candidate_pattern(frozenset({"phone", "street_address"}), False, True)
    for text in _texts() + _random_texts(3000, seed=2):
        plain = [
            m.span()
            for m in NAME_ANCHOR.finditer(text)
            if not TextScan(text).glued_before(m.start())
        ]
        assert TextScan(text).anchors == plain, text
        with_clusters = TextScan(text)
        with_clusters.candidate_clusters(pattern, names=True)
        assert with_clusters.anchors == plain, text


def test_cluster_starts_are_those_of_number_cluster() -> None:
    """With every condition true, the candidate search yields exactly the clusters."""
    every = re.compile(trie_alternation([([d], f"{_CLUSTER_START}{_REST}") for d in "0123456789"]))
    rng = random.Random(3)
    alphabet = "0123456789  ..--//()\u00a0:xA"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(5000)]
    for text in texts + _texts():
        assert [m.span() for m in every.finditer(text)] == [
            m.span() for m in NUMBER_CLUSTER.finditer(text)
        ], text


@pytest.mark.parametrize("birth", [False, True])
def test_candidate_clusters_lose_nothing(birth: bool) -> None:
    """The number rules give the same spans on the candidate clusters as on all clusters."""
    detector = PiiDetector(cache_size=0)
    pattern = candidate_pattern(detector._computed, birth, False)
    for text in _texts() + _random_texts(3000, seed=4):
        candidates = TextScan(text).candidate_clusters(pattern)
        every = TextScan(text).clusters
        assert set(candidates) <= set(every)
        if birth or "birth" not in TextScan(text).cues:
            found: list = []
            detector._number_spans(TextScan(text), candidates, found)
            expected: list = []
            detector._number_spans(TextScan(text), every, expected)
            assert sorted(found, key=repr) == sorted(expected, key=repr), text


def test_trie_alternation() -> None:
    pattern = re.compile(
        trie_alternation([(list("Ann"), "(?![a-z])"), (list("Anna"), ""), (["[pP]", "w"], "")])
    )
    found = [m.group() for m in pattern.finditer("Ann Anna Annie Pw pw")]
    assert found == ["Ann", "Anna", "Pw", "pw"]


def test_word_cues_match_the_look_behind_form() -> None:
    words = ("ssn", "ssns", "social security", "ss#", "tin", "v", "ver", "call", "text me")
    for prefix in (False, True):
        fast = word_cues(*words, prefix=prefix)
        alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        plain = re.compile(rf"(?<![^\W_])(?:{alternation})" + ("" if prefix else r"(?![^\W_])"))
        for text in [*_random_texts(500, seed=5), "my ssn: 1, xssn v2 ver. text message calls"]:
            low = text.lower()
            assert [m.span() for m in fast.finditer(low)] == [m.span() for m in plain.finditer(low)]


def test_cache_returns_the_same_spans() -> None:
    detector = PiiDetector()
    uncached = PiiDetector(cache_size=0)
    text = "Mail jane.doe@example.com or call +1 415 555 0123"
    first, second = detector.detect(text), detector.detect(text)
    assert first == second == uncached.detect(text)
    assert first is not second  # callers may change their list
    assert len(detector._cache) == 1 and len(uncached._cache) == 0


def test_cache_is_bounded_and_keeps_recent_texts() -> None:
    detector = PiiDetector(cache_size=10)
    detector.detect("the system prompt")
    for k in range(30):
        detector.detect(f"turn {k}")
        detector.detect("the system prompt")  # used again: stays
    assert len(detector._cache) <= 10
    assert detector._cache.get("the system prompt") is not None
    with pytest.raises(ValueError, match="cache_size"):
        PiiDetector(cache_size=-1)


def test_eviction_gives_texts_hit_since_the_last_one_a_second_chance() -> None:
    cache = ResultCache(4)
    for text in "abcd":
        cache.put(text, [])
    assert cache.get("a") == ()  # a hit: "a" survives the next eviction
    cache.put("e", [])  # full: the older half ("a", "b") goes, save "a"
    assert list(cache.results) == ["c", "d", "a", "e"]
    for text in "cdae":  # every text hit: the first pass frees nothing, the second does
        cache.get(text)
    cache.put("f", [])
    assert len(cache) <= 4 and "f" in cache.results
    assert cache.chars == sum(map(len, cache.results))


def test_detect_many_uses_and_fills_the_cache() -> None:
    detector = PiiDetector()
    turns = ["You are a helpful assistant.", "Hi, I'm Jane Doe", "call me at (212) 555-0123"]
    detector.detect(turns[0])
    assert detector.detect_many(turns) == [PiiDetector(cache_size=0).detect(t) for t in turns]
    assert all(detector._cache.get(t) is not None for t in turns)
    assert detector.detect_many(turns) == [detector.detect(t) for t in turns]
