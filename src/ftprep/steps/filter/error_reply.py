"""``filter.error_reply``: replies that are an error (a stack trace, an error page, "Something went
wrong") instead of an answer."""

from __future__ import annotations

import re
from typing import ClassVar

import orjson
from pydantic import Field

from ftprep.record import Record
from ftprep.steps.base import FilterStep, Reject, StepParams
from ftprep.steps.filter.sentences import (
    Turns,
    clip,
    contains_any,
    judged_texts,
    previous_user_text,
    split_sentences,
    strip_code,
)

_STATUS = (
    r"(?:Bad Request|Unauthorized|Payment Required|Forbidden|Not Found|Method Not Allowed"
    r"|Request Time-?out|Conflict|Payload Too Large|Too Many Requests|Internal Server Error"
    r"|Not Implemented|Bad Gateway|Service (?:Temporarily )?Unavailable|Gateway Time-?out)"
)
#: a line that opens or continues a stack trace (Python, JavaScript, Java)
_TRACE_START = re.compile(
    r"Traceback \(most recent call last\):|Exception in thread \"|\s+at [\w.$<>\[\]/ ]+"
    r"(?:\([^()]*:\d+(?::\d+)?\)|:\d+:\d+)$|\s+File \"[^\"]+\", line \d+"
)
_EXCEPTION = re.compile(r"(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Interrupt|Exit)\b(:.*)?$")
#: a line that is an error page or body: a status line, an HTML error title, a JSON error
_PAGE = re.compile(
    r"\s*(?:(?:HTTP/\d(?:\.\d)?\s+|(?:Error|Status)(?: code)?:?\s+)?[45]\d\d\s*[-:]?\s*"
    + _STATUS
    + r"\.?\s*$|<(?:title|h1)>\s*[45]\d\d\b|.*<title>[^<]*\b[45]\d\d\b"
    r"|\{\s*\"error\"\s*:|upstream connect error)",
    re.IGNORECASE,
)
_ERROR_LINE = re.compile(r"(?:Error|ERROR|error):\s+\S")
#: a user turn about errors: then naming one ("Error: ...", "ValueError: ...") is an answer
_ABOUT_ERRORS = re.compile(r"error|exception|traceback|stack ?trace|status code|crash|bug", re.I)
#: a sentence that is wholly an error message
_MESSAGE = re.compile(
    r"[\s>*_\"'`]*(?:(?:oops|whoops|uh[- ]oh|sorry|error)[!,.:]*\s+)*(?:something went wrong"
    r"|an? (?:unexpected |unknown |internal |network |server |fatal )?error (?:has )?occurred"
    r"|(?:an? )?internal server error|rate limit (?:exceeded|reached)"
    r"|(?:the )?request (?:has )?timed out|request timeout|network error|connection timed out"
    r"|(?:the )?(?:server|service) is (?:currently |temporarily )?(?:unavailable|overloaded)"
    r"|(?:that |the )?model is (?:currently )?overloaded(?: with other requests)?"
    r"|gateway timeout|service unavailable"
    r"|you exceeded your current quota|(?:context_length|rate_limit)_exceeded|server_error)"
    r"(?:\s+(?:while|when)\s+[^.!?\n]{0,60}|\s+with\s+(?:the|your|this)\s+request|\s*\(?(?:error"
    r"|status|code)[ :]*\w+\)?|[^.!?\n]{0,40}\b[45]\d\d\b[^.!?\n]{0,20})?[\s.!:;,)*_\"'`-]*",
    re.IGNORECASE,
)
#: a sentence that goes with an error message but is no error on its own
_WEAK = re.compile(
    r"[\s>*_\"'`]*(?:please )?(?:try again|retry)"
    r"(?: later| in (?:a (?:few|moment|minute)\w*|\d+ \w+))?"
    r"(?: or contact support)?[\s.!]*|(?:if (?:the|this) (?:problem|issue|error) persists,? )?"
    r"(?:please )?contact (?:support|us|the administrator)[^.!?\n]{0,40}[\s.!]*"
    r"|(?:oops|whoops|sorry)[\s.!]*",
    re.IGNORECASE,
)
# cheap guards, on the lowercased text: a reply none of these hit holds no error line
# ("exce": exception, exceeded; status lines by the two regexes below)
_GUARD_WORDS = (
    "error",
    "exce",
    "went wrong",
    "timed out",
    "timeout",
    "rate limit",
    "unavailable",
    "overloaded",
)
_STATUS_WORDS = (
    r"\d\d[\s:-]*(?:bad|unauth|payment|forbid|not|method|request|conflict|payload|too|internal"
    r"|service|gateway)"
)
# a literal first character makes a search fast; a class such as [45] would not
_GUARD_4XX = re.compile("4" + _STATUS_WORDS)
_GUARD_5XX = re.compile("5" + _STATUS_WORDS)


def _may_hold_error(lowered: str) -> bool:
    if contains_any(lowered, _GUARD_WORDS):
        return True
    return bool(_GUARD_4XX.search(lowered) or _GUARD_5XX.search(lowered))


class ErrorReplyParams(StepParams):
    roles: list[str] = Field(
        default_factory=lambda: ["assistant"], description="Roles whose turns are judged."
    )
    turns: Turns = Field("all", description="`all` judges every such turn, `last` the last one.")
    min_error_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Drop a reply whose error lines are at least this share of its characters.",
    )
    explain_min_chars: int = Field(
        200,
        ge=0,
        description="A reply that opens with an error is dropped unless this much other "
        "text (an explanation) goes with it.",
    )


class ErrorReplyFilter(FilterStep):
    """Drop replies that are an error message instead of an answer.

    Each line of a reply is classed: part of a stack trace (Python "Traceback (most recent call
    last):", JavaScript "    at f (app.js:1:2)", Java "Exception in thread"), an error page or
    body (a "502 Bad Gateway" status line, an HTML error title, a JSON ``{"error": ...}`` body),
    a sentence that is wholly an error message ("Something went wrong.", "An error occurred while
    processing your request.", "Rate limit exceeded."), or other text. "Please try again later"
    counts with an error, not on its own. Code blocks and lines the user pasted in the turn before
    are quoted, not errors: a reply that explains a trace is kept, and so is a tutorial on status
    codes (its status lines are list items or headings, and it has far more explanation).
    When the user turn before is about errors, naming one ("ZeroDivisionError", "Error: the
    loop never ends", a JSON error body) answers it; traces, pages and messages still count.
    A reply is an error when its error lines make up ``min_error_share`` of its characters, or
    when it opens with one and has less than ``explain_min_chars`` of other text.

    Reads: the texts of the turns of ``roles`` (text parts joined), and the user turn before each.
    Writes: nothing; counts ``error_explained`` (replies with error lines that were kept).
    Drops: ``error_reply``, with the first error line (at most 200 characters) as the value and
    the error share in the detail.
    """

    id: ClassVar[str] = "filter.error_reply"
    Params = ErrorReplyParams
    params: ErrorReplyParams

    def keep(self, record: Record) -> bool | Reject:
        texts = judged_texts(record, self.params.roles, self.params.turns)
        if not texts:
            return True
        if not _may_hold_error("\n".join(t for _, t in texts).lower()):
            return True
        for index, text in texts:
            prose = strip_code(text)
            if (len(texts) > 1 or prose is not text) and not _may_hold_error(prose.lower()):
                continue  # the error words were in another text, or all in code
            reject = self._judge(text, prose, previous_user_text(record, index))
            if reject is not None:
                return reject
        return True

    def _judge(self, text: str, prose: str, quoted: str) -> Reject | None:
        soft = not _ABOUT_ERRORS.search(quoted)  # the user did not ask about errors
        body = _json_error(text) if soft else None
        if body is not None:
            return Reject("error_reply", value=clip(body), detail="a JSON error body")
        error, other, first, opens = measure_errors(prose, quoted, soft)
        if not error:
            return None
        share = error / (error + other)
        p = self.params
        if share >= p.min_error_share or (opens and other < p.explain_min_chars):
            detail = f"error lines are {share:.0%} of the reply ({other} other characters)"
            return Reject("error_reply", value=clip(first), detail=detail)
        self.count("error_explained")
        return None


def measure_errors(text: str, quoted: str = "", soft: bool = True) -> tuple[int, int, str, bool]:
    """``(error characters, other characters, first error line, opens with an error)`` of
    ``text``. Lines also found in ``quoted`` count as neither; with ``soft`` false, exception
    lines and "Error: ..." lines outside a stack trace count as other text."""
    error = other = weak = 0
    first = ""
    opens: bool | None = None
    in_trace = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or (len(stripped) >= 10 and stripped in quoted):
            in_trace = in_trace and bool(stripped)
            continue
        kind = _line_kind(line, stripped, in_trace)
        in_trace = kind == "trace"
        if kind == "markup":
            continue
        if kind == "prose":
            for sentence in split_sentences(stripped):
                if _MESSAGE.fullmatch(sentence):
                    error += len(sentence)
                    first = first or sentence
                elif _WEAK.fullmatch(sentence):
                    weak += len(sentence)
                    continue
                else:
                    other += len(sentence)
                opens = bool(error) if opens is None else opens
        elif kind == "soft" and not soft:
            other += len(stripped)
            opens = False if opens is None else opens
        else:
            error += len(stripped)
            first = first or stripped
            opens = True if opens is None else opens
    if error:
        return error + weak, other, first, bool(opens)
    return 0, other + weak, first, False


def _line_kind(line: str, stripped: str, in_trace: bool) -> str:
    """``trace``, ``error`` (a page or body), ``soft`` (an error message), ``markup`` or
    ``prose``."""
    if _TRACE_START.match(line) or stripped.startswith("Caused by: "):
        return "trace"
    exception = _EXCEPTION.match(stripped)
    if in_trace and (line[0] in " \t" or exception):
        return "trace"
    if _PAGE.match(line):
        return "error"
    if (exception and exception.group(1)) or _ERROR_LINE.match(stripped):
        return "soft"
    if stripped[0] == "<" and stripped[-1] == ">":
        return "markup"
    return "prose"


def _json_error(text: str) -> str | None:
    """The message of a reply that is wholly a JSON error body, else ``None``."""
    text = text.strip()
    if not (text.startswith("{") and text.endswith("}") and '"error' in text):
        return None
    try:
        body = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(body, dict) or not {"error", "errors"} & body.keys():
        return None
    error = body.get("error", body.get("errors"))
    if isinstance(error, dict) and "message" in error:
        return str(error["message"])
    return text
