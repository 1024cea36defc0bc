"""``filter.refusal``: replies that refuse ("I can't help with that") or hedge ("As an AI...")."""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import Field, field_validator

from ftprep.record import Record
from ftprep.steps.base import FilterStep, Reject, StepParams
from ftprep.steps.filter.sentences import (
    Turns,
    check_patterns,
    clip,
    compile_any,
    contains_any,
    judged_texts,
    previous_user_text,
    split_sentences,
    strip_code,
)

_VERB = (
    r"(?:help(?!\s+(?:but|thinking|feeling|wondering|noticing|laughing|smiling|it)\b)"
    r"|giv\w*(?!\s+up\b)|recommend\w*(?![^.!?\n]*\benough\b)"
    r"|(?:assist|provid|offer|shar|creat|writ|generat|produc|compl[yi]|fulfil|answer|respond|engag"
    r"|discuss|support|process|perform|access|brows|participat|condon|promot|encourag|disclos"
    r"|reveal|endors|facilitat|accommodat|retriev|open|view|look\s+up|take\s+part|go\s+along)\w*"
    r"|do\s+(?:that|this|it|so|what)|be\s+of\s+(?:help|assistance|service)"
    r"|see\s+(?:your|the|that|this|any)\s+(?:account|order|screen|image|picture|photo|file"
    r"|attachment|link|page|video|document))\b"
)
_ADVERBS = (
    r"(?:\s+(?:directly|really|personally|currently|actually|fully|legally|ethically|responsibly"
    r"|safely|simply|just|yet|in\s+good\s+conscience)){0,2}"
)
#: refusals, matched at the start of a sentence (after an apology or "As an AI," opener)
REFUSAL_PATTERNS: tuple[str, ...] = (
    r"i\s*(?:can(?:no|['’])t|cannot|can\s+not|could(?:n['’]t|\s+not)"
    r"|(?:am|['’]m)\s+(?:not\s+able|unable|not\s+in\s+a\s+position)\s+to"
    r"|(?:won['’]t|will\s+not)(?:\s+be\s+able\s+to)?|(?:refuse|decline)\s+to"
    r"|(?:do\s+not|don['’]t)\s+(?:feel\s+comfortable|have\s+the\s+ability\s+to)"
    r"|(?:am|['’]m)\s+not\s+(?:comfortable|allowed\s+to|permitted\s+to|programmed\s+to))"
    + _ADVERBS
    + r"\s+"
    + _VERB,
    r"i\s+must\s+(?:respectfully\s+|politely\s+)?(?:decline|refuse|refrain)\b",
    r"(?:that|this)(?:['’]s|\s+is)\s+not\s+something\s+(?:that\s+)?i\s+(?:can|am\s+able|will)\b",
    r"it(?:['’]s|\s+is|\s+would\s+be)\s+(?:not\s+appropriate|inappropriate)\s+for\s+me\s+to\b",
)
#: hedging and needless apologies, searched anywhere in a sentence (``^``: at its start)
HEDGE_PATTERNS: tuple[str, ...] = (
    r"\bas\s+an?\s+(?:ai|artificial\s+intelligence)(?:[\s-]+(?:language\s+)?model|\s+assistant"
    r"|\s+chatbot)?(?:\s*,|\s+(?:i|my)\b)",
    r"\bas\s+a\s+(?:large\s+)?language\s+model(?:\s*,|\s+(?:i|my)\b)",
    r"\bi(?:['’]m|\s+am)\s+(?:just|only|merely|simply|but)\s+(?:an?\s+)?(?:ai|artificial"
    r"\s+intelligence|(?:large\s+)?language\s+model|computer\s+program|bot|chatbot|machine)\b",
    r"\bi(?:['’]m|\s+am)\s+an?\s+(?:ai(?:\s+language)?\s+model|(?:large\s+)?language\s+model)\b",
    r"\bi\s+(?:do\s+not|don['’]t)\s+(?:have|possess)\s+(?:any\s+)?(?:personal\s+)?(?:opinions"
    r"|feelings|emotions|beliefs|preferences|experiences|consciousness|a\s+(?:physical\s+)?body)\b",
    r"\bi\s+(?:do\s+not|don['’]t)\s+have\s+(?:real-time|internet|browsing|live)\s+(?:access"
    r"|capabilities)\b",
    r"\b(?:my|the)\s+(?:knowledge|training)(?:\s+data)?\s+cut-?off\b",
    r"\bas\s+of\s+my\s+(?:last\s+)?(?:knowledge\s+|training\s+)?(?:update|cut-?off)\b",
    r"\bmy\s+training\s+data\b",
    r"^(?:i(?:['’]m|\s+am)?\s+(?:sincerely\s+|deeply\s+|really\s+|so\s+)?(?:apologi[sz]e|sorry)"
    r"|(?:my\s+)?apologies|sorry)\s+(?:for|about)\s+(?:the\s+|any\s+|my\s+)?(?:confusion"
    r"|misunderstanding|oversight|mix-?up|inaccura|errors?\s+in\s+my|mistakes?\s+in\s+my"
    r"|(?:earlier|previous)\s+(?:response|answer|reply))",
)
_OPENER = re.compile(
    r"^[\W_]*(?:(?:(?:oh|well|hi|hello|hey)[,!.]?\s+)?(?:(?:i['’]m|i\s+am)\s+(?:very\s+|so\s+"
    r"|really\s+|truly\s+|terribly\s+)?sorry|sorry|i\s+apologi[sz]e|(?:my\s+)?apologies"
    r"|unfortunately|regrettably|however|but|i(?:['’]m|\s+am)\s+afraid|thank\s+you[^,.!?]{0,40}"
    r"|(?:while\s+|although\s+)?i\s+(?:completely\s+|totally\s+)?(?:understand|appreciate)"
    r"[^,.!?;]{0,60}|as\s+an?\s+(?:ai|artificial\s+intelligence)(?:[\s-]+(?:language\s+)?model"
    r"|\s+assistant)?|as\s+a\s+(?:large\s+)?language\s+model)[,.!:;]?\s*(?:but\s+|however,?\s+)?)*",
    re.IGNORECASE,
)
# cheap guards: a reply that none of these hit cannot match the default patterns (one regex
# anchored on a literal "I", which also catches "AI" and "something I", then long substrings)
_GUARD = re.compile(
    r"I(?:\s+(?:can(?:no|['’])t|cannot|can\s+not|could(?:n['’]t|\s+not)|won['’]t|will\s+not"
    r"|refuse|decline|must|(?:do\s+not|don['’]t)\s+(?:feel|have|possess))|(?:['’]m|\s+am)\s+"
    r"(?:unable|not\s+(?:able|in|comfortable|allowed|permitted|programmed)|just|only|merely"
    r"|simply|but)|(?<=AI)|(?<=something I))"
)
_GUARD_WORDS: tuple[str, ...] = (
    "language model",
    "ntelligence",
    "utoff",
    "ut-off",
    "s of my",
    "training data",
    "appropriate for",
)
_APOLOGY_WORDS: tuple[str, ...] = (
    "onfusion",
    "isunderstand",
    "versight",
    "ix-up",
    "ixup",
    "naccura",
    " in my ",
    "previous re",
    "earlier re",
    "previous answer",
    "earlier answer",
)
#: where a refusing clause ends and a redirect may start ("I can't share that, but here's how")
_CLAUSE = re.compile(r"\s*[;:—–]|,?\s+(?:but|however|instead|though|although)\b")
_FILLER = re.compile(
    r"anything else|other questions?|let me know|feel free|here to help|happy to help"
    r"|glad to help|\bi understand\b|understanding|hope you|thank you|\bthanks\b",
    re.IGNORECASE,
)
_LECTURE = re.compile(
    r"illegal|unethical|against (?:the law|my|our|policy|the terms)|violat|harmful|inappropriate"
    r"|not appropriate|dangerous|important to (?:respect|remember|note|consider|prioriti)"
    r"|respect (?:the |people|others|privacy|their|your)|invasion of privacy"
    r"|\bmy (?:current )?(?:capabilit|functions?\b|abilit)|limited to|external task|i (?:do not|"
    r"don['’]t) (?:know|have (?:the|a|any) (?:abilit|function|capabilit|access))"
    r"|\bi can(?: only)? (?:help|assist)|\bi am (?:only )?able to (?:help|assist)",
    re.IGNORECASE,
)
#: a user turn asking who the assistant is: "I'm a language model" is the answer, not hedging
_IDENTITY = re.compile(
    r"\b(?:who|what)\s+are\s+you\b|\bwho\s+you\s+are\b|\bhow\s+(?:do\s+)?you\s+work\b"
    r"|\byour\s+name\b|\byourself\b|\babout\s+you\b|you\s+called\b|\bwhat\s+(?:model|llm)"
    r"|\bwho\s+(?:\w+ed|made|built|taught|wrote)\s+you\b"
    r"|\bare\s+you\s+(?:an?\s+)?(?:ai|bot|robot|human|person|real|machine|sentient|conscious|based"
    r"|trained|made|developed|created|built|(?:chat)?gpt|davinci|curie|claude|llama|gemini"
    r"|language\s+model)|\bdo\s+you\s+(?:call|use)\s+[\w-]+\s+apis?\b",
    re.IGNORECASE,
)
_REDIRECT = re.compile(
    r"here(?:['’]s|\s+is|\s+are)|you\s+(?:can|could|might|may|should)|\btry\b|instead|i\s+"
    r"(?:recommend|suggest)|\bconsider|\bsteps?\b|^\s*(?:\d+[.)]|[-*•])|\b(?:go\s+to|open|click"
    r"|tap|visit|contact|call|email|reach\s+out)\b",
    re.IGNORECASE,
)


class RefusalParams(StepParams):
    roles: list[str] = Field(
        default_factory=lambda: ["assistant"], description="Roles whose turns are judged."
    )
    turns: Turns = Field("all", description="`all` judges every such turn, `last` the last one.")
    refusal_patterns: list[str] | None = Field(
        None,
        description="Regular expressions (case-insensitive) of refusals, matched at the start "
        "of a sentence after an opener such as 'Sorry, but'; default: the built-in list.",
    )
    extra_refusal_patterns: list[str] = Field(
        default_factory=list, description="Refusal patterns added to `refusal_patterns`."
    )
    hedge_patterns: list[str] | None = Field(
        None,
        description="Regular expressions (case-insensitive) of hedging, searched in each "
        "sentence; default: the built-in list.",
    )
    extra_hedge_patterns: list[str] = Field(
        default_factory=list, description="Hedging patterns added to `hedge_patterns`."
    )
    drop_hedging: bool = Field(True, description="Drop hedging (else only count it).")
    allow_redirect: bool = Field(
        True, description="Keep a refusal followed by concrete help (a redirect)."
    )
    redirect_min_chars: int = Field(
        60,
        ge=1,
        description="Help of at least this many characters (apart from pleasantries and "
        "lectures) after a refusal makes it a redirect; before it, a caveat to an answer.",
    )

    _patterns = field_validator(
        "refusal_patterns", "extra_refusal_patterns", "hedge_patterns", "extra_hedge_patterns"
    )(check_patterns)


class RefusalFilter(FilterStep):
    """Drop replies that refuse to help, or that hedge about being an AI.

    A refusal is a sentence that opens (after an apology, "Unfortunately," or "As an AI,") with a
    first-person refusal and a verb of helping: "I can't help with that", "I'm unable to provide
    ...", "I must decline". "I cannot stress enough", "I can't wait", "You cannot use a list here"
    and "I'm unable to reproduce the bug" are not. A refusal followed by concrete help (at least
    ``redirect_min_chars`` of it, pleasantries and lectures not counted) is a redirect, kept with
    ``allow_redirect``; one that comes after that much of an answer is a caveat, always kept.
    Hedging is "As an AI (language model), ...", "I'm just an AI", "I don't have personal
    opinions", "as of my knowledge cutoff", or an apology for "the confusion" opening a sentence.
    Every assistant turn is judged by default (``turns: all``): the model learns from each.

    Reads: the texts of the turns of ``roles`` (text parts joined, code blocks left out).
    Writes: nothing; counts ``refusal_redirect`` (refusals kept as redirects or caveats) and
    ``hedging_seen`` (hedging found, dropped or not).
    Drops: ``refusal`` and ``hedging``, with the sentence (at most 200 characters) as the value.
    """

    id: ClassVar[str] = "filter.refusal"
    Params = RefusalParams
    params: RefusalParams

    def setup(self) -> None:
        p = self.params
        refusals = REFUSAL_PATTERNS if p.refusal_patterns is None else p.refusal_patterns
        hedges = HEDGE_PATTERNS if p.hedge_patterns is None else p.hedge_patterns
        self._refusal = compile_any([*refusals, *p.extra_refusal_patterns])
        self._hedge = compile_any([*hedges, *p.extra_hedge_patterns])
        self._guarded = (
            p.refusal_patterns is None
            and p.hedge_patterns is None
            and not p.extra_refusal_patterns
            and not p.extra_hedge_patterns
        )

    def keep(self, record: Record) -> bool | Reject:
        texts = judged_texts(record, self.params.roles, self.params.turns)
        if not texts:
            return True
        if self._guarded:
            blob = "\n".join(t for _, t in texts)
            if not _guard(blob):
                return True
        for index, text in texts:
            if self._guarded and len(texts) > 1 and not _guard(text):
                continue  # the guard words were in another turn
            reject = self._judge(split_sentences(strip_code(text)), record, index)
            if reject is not None:
                return reject
        return True

    def _judge(self, sentences: list[str], record: Record, index: int) -> Reject | None:
        hedge = None
        for i, sentence in enumerate(sentences):
            if self._refusal is not None and (
                match := self._refusal.match(sentence, _opener(sentence))
            ):
                if not self._redeemed(sentences, i, match.end()):
                    return Reject("refusal", value=clip(sentence), detail="refuses to help")
                self.count("refusal_redirect")
            if (
                hedge is None
                and self._hedge is not None
                and self._hedge.search(sentence.lstrip(" *_\"'“‘>#-"))
            ):
                hedge = sentence
        if hedge is None or _asked_identity(record, index):
            return None
        self.count("hedging_seen")
        if not self.params.drop_hedging:
            return None
        return Reject("hedging", value=clip(hedge), detail="hedges about being an AI")

    def _redeemed(self, sentences: list[str], i: int, end: int) -> bool:
        """Whether enough help comes before sentence ``i`` (a caveat) or, with
        ``allow_redirect``, after the refusing clause, which ends at ``end`` or at a "but"."""
        need = self.params.redirect_min_chars
        if _help(sentences[:i], self._refusal) >= need:
            return True
        if not self.params.allow_redirect:
            return False
        sentence = sentences[i]
        clause = _CLAUSE.search(sentence, end)
        rest = [sentence[clause.end() :]] if clause else []
        return _help(rest + sentences[i + 1 :], self._refusal) >= need


def _guard(blob: str) -> bool:
    """Whether ``blob`` may hold a default refusal or hedge (no: it holds none)."""
    if _GUARD.search(blob) or contains_any(blob, _GUARD_WORDS):
        return True
    return ("pologi" in blob or "orry" in blob) and contains_any(blob, _APOLOGY_WORDS)


def _asked_identity(record: Record, index: int) -> bool:
    """Whether the user turn before message ``index`` asks who or what the assistant is."""
    return bool(_IDENTITY.search(previous_user_text(record, index)))


def _opener(sentence: str) -> int:
    """Where the sentence proper starts, after apologies and "As an AI," openers."""
    match = _OPENER.match(sentence)
    return match.end() if match else 0


def _help(sentences: list[str], refusal: re.Pattern[str] | None) -> int:
    """Characters of concrete help in ``sentences``: not pleasantries, lectures or refusals."""
    total = 0
    for s in sentences:
        if refusal is not None and refusal.match(s, _opener(s)):
            continue
        if _FILLER.search(s):
            continue
        if _LECTURE.search(s) and not _REDIRECT.search(s):
            continue
        total += len(s)
    return total
