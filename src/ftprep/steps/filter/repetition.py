"""``filter.repetition``: replies stuck in a loop, and replies that run on into turns or tasks of
their own ("### Instruction:", "User: ...", "<|im_start|>")."""

from __future__ import annotations

import re
import zlib
from collections import Counter
from typing import ClassVar

from pydantic import Field

from ftprep.record import Record
from ftprep.steps.base import FilterStep, Reject, StepParams
from ftprep.steps.filter.sentences import (
    Needles,
    Turns,
    judged_texts,
    previous_user_text,
    strip_code,
)

#: chat-template tokens, and prompt-format headers, that never belong inside a reply
_MARKER = re.compile(
    r"<\|(?:im_start|im_end|endoftext|eot_id|start_header_id|end_header_id|user|assistant"
    r"|system|end|eos|bos)\|>|\[/?INST\]|<(?:start|end)_of_turn>|<eos>"
    r"|(?m:^#{2,4} ?(?:Instruction|Human|User)\s*:)"
)
_END_TOKEN = re.compile(r"</s>")
#: a line that opens a new user turn
_USER_TURN = re.compile(r"^(?:Human|User|USER|HUMAN)\s?:", re.MULTILINE)
#: a request for a dialogue, where "User:" lines are what was asked for
_ASKS_DIALOGUE = re.compile(
    r"\b(?:dialog(?:ue)?s?|conversations?|scripts?|transcripts?|chats?|role-?play|interviews?"
    r"|exchanges?|examples?|format)\b",
    re.IGNORECASE,
)
#: addresses and links, which are not requests ("opatel@example.com" asks for no example)
_ADDRESSES = re.compile(r"\S+@\S+|\w+://\S+")
_RUN_ON_TRIGGERS = Needles(("<", "[INST]", "##", "Human", "User", "USER", "HUMAN"))


class RepetitionParams(StepParams):
    roles: list[str] = Field(
        default_factory=lambda: ["assistant", "text"],
        description="Roles whose texts are judged (`text` for plain-text records).",
    )
    turns: Turns = Field("all", description="`all` judges every such turn, `last` the last one.")
    min_chars: int = Field(
        500, ge=1, description="Shorter texts are not measured for repetition (run-ons still are)."
    )
    max_compression: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Repetitive when zlib compresses the text, or its second half (an answer "
        "that ends in a loop), below this share of its size.",
    )
    ngram: int = Field(10, ge=2, description="Word n-grams measured for duplication.")
    max_dup_ngram_share: float = Field(
        0.9,
        ge=0,
        le=1,
        description="Repetitive when word n-grams seen more than once cover this share of the "
        "prose's characters (code blocks and table rows left out).",
    )
    max_ngram_repeats: int = Field(
        10,
        ge=2,
        description="Repetitive when one word n-gram occurs this often (a loop); a chorus or a "
        "repeated code block occurs a few times.",
    )
    max_dup_line_share: float = Field(
        0.9,
        ge=0,
        le=1,
        description="Repetitive when lines (of 10+ characters) that repeat an earlier line make "
        "up this share of the prose's line characters.",
    )
    run_on: bool = Field(
        True, description="Drop replies that run on into invented turns or prompt markers."
    )


class RepetitionFilter(FilterStep):
    """Drop texts that repeat themselves, and replies that run on past their answer.

    Measures (texts of ``min_chars`` or more): the zlib compression ratio of the whole text and
    of its second half (an answer that ends in a loop), the share of the prose's characters
    inside word n-grams that occur more than once (Gopher's duplicate n-gram fraction; code
    blocks and table rows left out), how often the most frequent n-gram occurs, and the share of
    line characters in lines that repeat an earlier one (lines under 10 characters left out).
    The thresholds are far looser than Gopher's web-page ones: songs with a chorus, schedules
    and code with repeated blocks reach a 0.8 duplicate share and 6 repeats; a reply stuck in
    a loop reaches 1.0 and dozens of repeats, and compresses to a few percent.
    A run-on is a reply that goes on into what a raw completion model writes next: a
    chat-template token (``<|im_start|>``, ``[INST]``, ``</s>`` before more text), an Alpaca
    header ("### Instruction:"), or a line opening a new user turn ("User: ...") when the user
    did not ask for a dialogue and no "here is an example:" introduces it.

    Reads: the texts of ``roles`` (text parts joined), and the user turn before each reply.
    Writes: nothing.
    Drops: ``repetitive``, with the measures as the value (``compression``,
    ``tail_compression``, ``dup_ngram_share``, ``top_ngram_repeats``, ``dup_line_share``) and
    those past their threshold in the detail; ``run_on``, with the marker as the value.
    """

    id: ClassVar[str] = "filter.repetition"
    Params = RepetitionParams
    params: RepetitionParams

    def keep(self, record: Record) -> bool | Reject:
        p = self.params
        texts = judged_texts(record, p.roles, p.turns)
        if p.run_on and _RUN_ON_TRIGGERS("\n".join(t for _, t in texts)):
            for index, text in texts:
                if (marker := _run_on(text, record, index)) is not None:
                    detail = "the reply runs on past its answer"
                    return Reject("run_on", value=marker, detail=detail)
        for _, text in texts:
            if len(text) >= p.min_chars and (reject := self._measure(text)) is not None:
                return reject
        return True

    def _measure(self, text: str) -> Reject | None:
        p = self.params
        prose = "\n".join(
            line for line in strip_code(text).splitlines() if not line.lstrip().startswith("|")
        )
        share, repeats = ngram_repetition(prose, p.ngram)
        measures: dict[str, float] = {
            "compression": round(compression_ratio(text), 3),
            "tail_compression": round(compression_ratio(text[len(text) // 2 :]), 3),
            "dup_ngram_share": round(share, 3),
            "top_ngram_repeats": repeats,
            "dup_line_share": round(dup_line_share(prose), 3),
        }
        below = {"compression": p.max_compression, "tail_compression": p.max_compression}
        above = {
            "dup_ngram_share": p.max_dup_ngram_share,
            "top_ngram_repeats": p.max_ngram_repeats,
            "dup_line_share": p.max_dup_line_share,
        }
        over = [f"{k} {measures[k]} < {v}" for k, v in below.items() if measures[k] < v]
        over += [f"{k} {measures[k]} >= {v}" for k, v in above.items() if measures[k] >= v]
        if not over:
            return None
        return Reject("repetitive", value=measures, detail="; ".join(over))


def compression_ratio(text: str) -> float:
    """Compressed size over raw size (zlib, level 1) of ``text`` in UTF-8."""
    raw = text.encode("utf-8", "replace")
    return len(zlib.compress(raw, 1)) / max(1, len(raw))


def ngram_repetition(text: str, n: int) -> tuple[float, int]:
    """The share of the word characters of ``text`` inside word ``n``-grams occurring twice or
    more (Gopher's duplicate n-gram fraction), and how often the most frequent n-gram occurs."""
    words = text.split()
    if len(words) < 2 * n:
        return 0.0, int(len(words) >= n)
    grams = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    counts = Counter(grams)
    covered = bytearray(len(words))
    for i, gram in enumerate(grams):
        if counts[gram] > 1:
            covered[i : i + n] = b"\x01" * n
    total = sum(map(len, words))
    share = sum(len(w) for w, c in zip(words, covered, strict=True) if c) / max(1, total)
    return share, max(counts.values())


def dup_line_share(text: str, min_line: int = 10) -> float:
    """Share of the characters of the lines of ``text`` (of ``min_line`` or more characters)
    that sit in lines repeating an earlier one."""
    seen: set[str] = set()
    repeated = total = 0
    for line in text.splitlines():
        line = line.strip()
        if len(line) < min_line:
            continue
        total += len(line)
        if line in seen:
            repeated += len(line)
        seen.add(line)
    return repeated / total if total else 0.0


def _run_on(text: str, record: Record, index: int) -> str | None:
    """The marker where ``text`` runs on past its answer, if it does."""
    if not _RUN_ON_TRIGGERS(text):
        return None
    prose = strip_code(text)
    if match := _MARKER.search(prose):
        return match.group(0)
    for match in _END_TOKEN.finditer(prose):
        line_start = prose.rfind("\n", 0, match.start()) + 1
        if "<s>" not in prose[line_start : match.start()] and prose[match.end() :].strip():
            return match.group(0)  # an end-of-sequence token with more text after it
    match = _USER_TURN.search(prose)
    if match is None or not prose[: match.start()].strip():
        return None
    if prose[: match.start()].rstrip().endswith(":"):
        return None  # "Here is an example:" introduces it
    if _ASKS_DIALOGUE.search(_ADDRESSES.sub(" ", previous_user_text(record, index))):
        return None
    return match.group(0)
