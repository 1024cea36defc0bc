"""``filter.truncated``: replies that were cut off (by a token limit, or mid-sentence)."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import Field

from ftprep.record import Record
from ftprep.steps.base import FilterStep, Reject, StepParams
from ftprep.steps.filter.sentences import Turns, clip, judged_texts

Check = Literal["finish_reason", "unclosed_code_fence", "mid_sentence"]
_CHECKS: tuple[Check, ...] = ("finish_reason", "unclosed_code_fence", "mid_sentence")
_CUT_REASONS = frozenset({"length", "max_tokens", "max_output_tokens", "token_limit"})
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})", re.MULTILINE)
#: a last line that ends well without a full stop: a list item, a table row, a heading, code
_EXEMPT_LINE = re.compile(
    r"\s*(?:[-*+•]\s|\d+[.)]\s|[A-Za-z][.)]\s|[IVXLC]+\.\s|\|.*\||#{1,6}\s|>)"
    r"|.*(?:[{};=]|\w\(|://\S+|www\.\S+)\s*$"
    r"|(?: {4}|\t)"
)
#: words a sentence seldom ends on without a full stop: articles, conjunctions, determiners,
#: prepositions (lowercase only, so "vitamin A" ends well; none of the 93 real replies that
#: end on a letter ends on one). "up", "off", "out" are left out: they end phrasal verbs.
_DANGLING_WORDS = (
    "the a an and or but nor because although whereas than if of my your our their its such "
    "very into onto whose to in on with for from at by about as"
)
_DANGLING = frozenset(_DANGLING_WORDS.split())
_PREPOSITIONS = _DANGLING & {"to", "in", "on", "with", "for", "from", "at", "by", "about", "as"}
#: words after which a preposition ends a sentence well: "log in", "turn it on", "you don't
#: need to", "what you're looking for", "what I need help with"
_PARTICLE_HEADS_TEXT = (
    "log sign check plug turn switch carry hold come go keep want need have has had love like "
    "used going able supposed try trying look looking wait waiting ask asking pay paying care "
    "talk talking listen listening deal dealing belong refer rely depend count agree apply opt "
    "help it them him her me us you this that one"
)
_PARTICLE_HEADS = frozenset(_PARTICLE_HEADS_TEXT.split())
#: real words of one or two lowercase letters; any other is a word cut short ("a decline in c")
_SHORT_WORDS_TEXT = (
    "a i am an as at be by do go he hi if in is it me my no of oh ok on or so to up us we ah "
    "eh ha hm uh ya yo ex id vs pi ad ax ox"
)
_SHORT_WORDS = frozenset(_SHORT_WORDS_TEXT.split())
_FRAGMENT = re.compile(r"(?<![\w'’-])[a-z]{1,2}$")
# scripts written without spaces, or whose replies rarely end in Latin punctuation
_NO_SPACE_SCRIPT = re.compile(
    r"[\u0e00-\u0e7f\u3000-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]$"
)
_SENTENCE_END = re.compile(r"[.!?…](?:[\"'”’)\]*_]*)(?:\s|$)")


class TruncatedParams(StepParams):
    roles: list[str] = Field(
        default_factory=lambda: ["assistant"], description="Roles whose turns are judged."
    )
    turns: Turns = Field(
        "last",
        description="`last` judges the last such turn (where a generation limit cuts), "
        "`all` every one.",
    )
    checks: list[Check] = Field(
        default_factory=lambda: list(_CHECKS),
        description="Which signs of a cut are looked for.",
    )
    min_words: int = Field(
        8,
        ge=1,
        description="A reply ending on a letter (not a comma, a dangling word or a word "
        "fragment) is cut only if its last sentence has at least this many words.",
    )
    min_chars: int = Field(
        1000,
        ge=0,
        description="... and only if the reply has at least this many characters: a token "
        "limit cuts long replies, while short ones often just lack the final full stop.",
    )


class TruncatedFilter(FilterStep):
    """Drop replies that were cut off before their end.

    A reply is cut when the turn's ``finish_reason`` (or ``stop_reason``), or the record's
    metadata ``finish_reason``, says a token limit stopped it (``length``, ``max_tokens``); when it
    ends inside an unclosed code fence; or when a reply written in punctuated sentences stops
    mid-sentence: on a comma, on a word no sentence ends on ("and", "the", "of"), on a word cut
    short ("in c"), inside an open bracket, or on a letter after a last sentence of
    ``min_words`` or more in a reply of ``min_chars`` or more whose line before ends with
    punctuation (a token limit cuts long replies; short ones often just lack a full stop). Replies that
    end well without a full stop are kept: a list item, a table row, a heading, code, a link, an
    emoji, a short last line (a sign-off such as "Best regards", a name), CJK text, or a reply
    with no sentence punctuation at all (a poem, a list of words, a bare answer).

    Reads: the last turn of ``roles`` (every one with ``turns: all``), its ``finish_reason`` /
    ``stop_reason``, and the record's metadata ``finish_reason``.
    Writes: nothing.
    Drops: ``truncated``, with the reason as the value (``finish_reason``,
    ``unclosed_code_fence``, ``mid_sentence``) and the end of the reply in the detail.
    """

    id: ClassVar[str] = "filter.truncated"
    Params = TruncatedParams
    params: TruncatedParams

    def keep(self, record: Record) -> bool | Reject:
        p = self.params
        checks = p.checks
        if "finish_reason" in checks and record.metadata.get("finish_reason") in _CUT_REASONS:
            return Reject("truncated", value="finish_reason", detail="metadata.finish_reason")
        for index, text in judged_texts(record, p.roles, p.turns):
            extra = record.messages[index].extra if index >= 0 else record.extra
            reason = extra.get("finish_reason") or extra.get("stop_reason")
            if "finish_reason" in checks and reason in _CUT_REASONS:
                return Reject("truncated", value="finish_reason", detail=f"finish_reason {reason}")
            if "unclosed_code_fence" in checks and _unclosed_fence(text):
                return Reject("truncated", value="unclosed_code_fence", detail=_tail(text))
            if "mid_sentence" in checks and cut_mid_sentence(text, p.min_words, p.min_chars):
                return Reject("truncated", value="mid_sentence", detail=_tail(text))
        return True


def cut_mid_sentence(text: str, min_words: int = 8, min_chars: int = 1000) -> bool:
    """Whether ``text`` stops in the middle of a sentence (see :class:`TruncatedFilter`)."""
    text = text.rstrip()
    if not text or (text[-1] != "," and not text[-1].isalpha()):
        return False  # a full stop, a digit, a closing bracket, a quote, an emoji...
    lines = text.rsplit("\n", 2)
    last = lines[-1]
    if _EXEMPT_LINE.match(last) or _NO_SPACE_SCRIPT.match(text[-1]):
        return False
    ends = list(_SENTENCE_END.finditer(last))
    words = (last[ends[-1].end() :] if ends else last).split()
    if len(words) < 3 or _SENTENCE_END.search(text) is None:
        return False  # a short answer, a label, or text without sentence punctuation
    if text[-1] == ",":
        return True
    sentence = " ".join(words)
    if sentence.count("(") > sentence.count(")") or sentence.count("[") > sentence.count("]"):
        return True
    tail = words[-1]
    if tail in _PREPOSITIONS and words[-2].lower() in _PARTICLE_HEADS:
        pass  # "then log in", "turn it on"
    elif tail in _DANGLING or (_FRAGMENT.search(tail) and tail not in _SHORT_WORDS):
        return True
    if len(words) < min_words or len(text) < min_chars:
        return False
    previous = next((line.rstrip() for line in reversed(lines[:-1]) if line.strip()), "")
    return not previous or _SENTENCE_END.search(previous[-1] + " ") is not None


def _unclosed_fence(text: str) -> bool:
    """Whether ``text`` ends inside a fenced code block (with something in it)."""
    if "```" not in text and "~~~" not in text:
        return False
    open_fence = ""
    opened_at = 0
    for match in _FENCE.finditer(text):
        fence = match.group(1)
        if not open_fence:
            open_fence, opened_at = fence, match.end()
        elif fence[0] == open_fence[0] and len(fence) >= len(open_fence):
            line_end = text.find("\n", match.end())
            rest = text[match.end() : line_end if line_end >= 0 else len(text)]
            if not rest.strip():  # a closing fence has nothing after it
                open_fence = ""
    body = text[opened_at:].split("\n", 1)
    return bool(open_fence) and len(body) == 2 and bool(body[1].strip())


def _tail(text: str) -> str:
    return "ends with: " + clip(text.rstrip()[-80:], 80)
