"""``filter.placeholder``: empty placeholders ("N/A", "<noinput>") and unfilled template fields
("{{name}}", "[Your Name]") left in a conversation."""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import Field

from ftprep.record import Record
from ftprep.steps.base import FilterStep, Reject, StepParams
from ftprep.steps.filter.sentences import (
    clip,
    contains_any,
    judged_texts,
    previous_user_text,
    strip_code,
)

#: whole texts that stand for "nothing here" in any role (compared lowercased, letters and
#: digits only: "< noinput >", "No input." and "NoInput" are all ``noinput``)
EMPTY_TEXTS = frozenset(
    {
        "noinput",
        "nooutput",
        "notext",
        "placeholder",
        "loremipsum",
        "inserttexthere",
        "yourtexthere",
        "todo",
        "tbd",
        "tba",
        "fixme",
        "xxx",
    }
)
#: whole texts that stand for "nothing" in an input (user, system), but can be a real answer
#: ("Which words are misspelled?" "None")
EMPTY_INPUTS = frozenset({"na", "none", "null", "nil", "nan", "undefined", "empty"})
#: whole input texts made only of these marks are empty too
_DASHES = frozenset({"-", "--", "---", "...", "…", "?", "."})
_GLUED_INPUT = re.compile(r"[.?!:]\s*(`?<?\s*no\s*input\s*>?`?\.?)$", re.IGNORECASE)
_INPUT_ROLES = frozenset({"user", "system", "developer", "text"})
#: what is left out of a text when comparing it with the placeholders: ASCII other than a-z, 0-9
_KEY = {c: None for c in range(128) if not (chr(c).isdigit() or chr(c).islower())}
#: the same ASCII characters, for ``bytes.translate`` (five times faster on ASCII text)
_KEY_BYTES = bytes(_KEY)

_FIELD = (
    r"(?:name|names|email|e-mail|address|phone|phone number|number|date|time|company|website"
    r"|amount|title|city|state|country|signature|position|recipient|manager|person|organi[sz]ation"
    r"|location|product|contact information|details|url|link)"
)
#: embedded residue; each alternative is one named kind
_RESIDUE = re.compile(
    r"(?<![$#\w])(?P<mustache>\{\{\s*[A-Za-z_][\w.]*\s*\}\})"
    r"|(?<![\w$#%{\\^_}])(?P<field>\{(?![a-z](?:_\w+)?\})[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*\})"
    r"(?!\})"
    r"|(?<![\w\])])(?P<bracket>\[(?:(?:[Ii]nsert|[Ee]nter [Yy]our|[Aa]dd [Yy]our|[Yy]our)\b"
    r"[^\]\n]{1,40}|(?:[A-Z][\w’'.-]*\s+){0,3}(?i:" + _FIELD + r")|[^\]\n]{1,30}\bhere)\](?!\())"
    r"|(?P<tag><(?:PLACEHOLDER|[Pp]laceholder|YOUR_[A-Z_]+|INSERT[ _][^>\n]{1,30}|noinput"
    r"|nooutput)>)"
    r"|(?P<lorem>\b[Ll]orem ipsum dolor\b)"
    r"|(?m:^[ \t]*(?P<todo>TODO\b:?))"
)
_SHORT_FIELD = re.compile(r"\{\w{1,2}\}")
#: a line that is code, where braces, brackets and angle brackets are syntax
_CODE_LINE = re.compile(
    r"\w\(|\b[fF][\"']|\$[\"'{(]|\.format\(|[=:]\s*[\"'{\[]|</?[A-Za-z][\w-]*[\s/>]|\{%"
    r"|[;{}]\s*$|^\s*(?:\*\s*)?@\w|^\s*//|^(?: {4}|\t)\s*\S"
)
_TRIGGERS = ("{", "[", "<", "orem ipsum dolor", "TODO")
_DEFAULT_ROLES = ["system", "developer", "user", "assistant", "text"]


class PlaceholderParams(StepParams):
    roles: list[str] | None = Field(
        default_factory=lambda: list(_DEFAULT_ROLES),
        description="Roles whose texts are looked at (`null`: every role); tool results are "
        "data, left out by default.",
    )
    whole_text: bool = Field(
        True, description="Drop texts (or a user turn's last line) that are only a placeholder."
    )
    residue: bool = Field(
        True, description="Drop texts with unfilled template fields in their prose."
    )
    brackets: bool = Field(
        True,
        description="Count bracketed fields ('[Your Name]', '[insert date]') as residue; a "
        "letter template with them may be what was asked for.",
    )


class PlaceholderFilter(FilterStep):
    """Drop records with empty placeholders or template residue in any role.

    A placeholder text is a whole text that means "nothing here": ``<noinput>``, "No input.",
    ``TODO``, "Lorem ipsum" in any role, and also "N/A", ``None``, ``null`` or "-" in an input
    (user, system) turn, where an answer of "None" can be right. The last line of a user turn
    counts too: that is where an Alpaca ``input`` ends up ("Describe X.\\nNo input.", or
    "Describe X.Noinput" when joined without a line break).
    Template residue is an unfilled field inside prose: ``{{name}}``, a Python format field
    ``{name}``, "[Your Name]", "[insert date]", ``<PLACEHOLDER>``, "Lorem ipsum dolor" (unless
    the user asked for filler text), a line opening with "TODO:". Code blocks, inline code, lines
    that look like code or sit next to code (``f"{x}"``, JSX, ``url=<YOUR_API_KEY>``), templates
    quoted as examples ('use "Dear {name},"') and math sets such as ``{x_n}`` are left out.

    Reads: the texts of ``roles`` (text parts joined; every role by default).
    Writes: nothing.
    Drops: ``placeholder_text`` (the text or line is only a placeholder) and
    ``template_residue`` (an unfilled field in prose), with the placeholder as the value and the
    role in the detail.
    """

    id: ClassVar[str] = "filter.placeholder"
    Params = PlaceholderParams
    params: PlaceholderParams

    def keep(self, record: Record) -> bool | Reject:
        p = self.params
        texts = judged_texts(record, p.roles)
        if not texts:
            return True
        if p.whole_text:
            messages = record.messages
            for index, text in texts:
                role = messages[index].role if index >= 0 else "text"
                if len(text) > 60 and role != "user":
                    continue  # too long to be a placeholder; only a user turn's last line is
                found = _placeholder_text(text, role)
                if found is not None:
                    return Reject("placeholder_text", value=clip(found), detail=f"{role} turn")
        if p.residue:
            blob = "\n".join(t for _, t in texts)
            if contains_any(blob, _TRIGGERS):
                for index, text in texts:
                    prose = strip_code(text)
                    if not contains_any(prose, _TRIGGERS):
                        continue
                    found = self._residue(prose, record, index)
                    if found is not None:
                        role = record.messages[index].role if index >= 0 else "text"
                        return Reject("template_residue", value=found, detail=f"{role} turn")
        return True

    def _residue(self, prose: str, record: Record, index: int) -> str | None:
        code: bool | None = None  # whether the text is mostly code, once needed
        for match in _RESIDUE.finditer(prose):
            kind = match.lastgroup
            if kind == "bracket" and not self.params.brackets:
                continue
            if kind != "bracket" and kind != "todo":
                if code is None:
                    code = _mostly_code(prose)
                if code or _in_code(prose, match.start(), match.end()):
                    continue
            if kind == "lorem" and "lorem" in previous_user_text(record, index).lower():
                continue  # asked for filler text
            if kind == "todo":
                end = prose.find("\n", match.end())
                return clip(prose[match.start() : end if end >= 0 else len(prose)])
            return match.group(0)
        return None


def _in_code(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` sits in a quoted string, or its line (the match left out) or
    a line next to it looks like code."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    head = text[line_start:start]
    if head.count('"') % 2 or head.count("“") > head.count("”"):
        return True  # "Hello {name}": a template quoted as an example, or code
    if _CODE_LINE.search(head + " " + text[end:line_end]):
        return True
    before = text[: max(line_start - 1, 0)].rstrip().rsplit("\n", 1)[-1]
    after = text[line_end:].lstrip().split("\n", 1)[0]
    return bool(_CODE_LINE.search(before) or _CODE_LINE.search(after))


def _mostly_code(text: str) -> bool:
    """Whether at least a third of the lines of ``text`` (and three or more) look like code."""
    lines = [line for line in text.splitlines() if line.strip()]
    code = sum(1 for line in lines if _CODE_LINE.search(line))
    return code >= 3 and code * 3 >= len(lines)


def _placeholder_text(text: str, role: str) -> str | None:
    """The placeholder that ``text`` (or, in a user turn, its last line) only is, else None."""
    if len(text) <= 60 and (found := _empty(text.strip(), role)) is not None:
        return found
    if role == "user":
        text = text.rstrip()
        cut = text.rfind("\n")
        if cut >= 0 and len(text) - cut <= 41:
            return _empty(text[cut + 1 :].strip(), role)
        tail = text[-20:]
        if "nput" in tail.lower() and (glued := _GLUED_INPUT.search(tail)):
            return glued.group(1)  # "Describe X.Noinput": joined without a line break
    return None


def _empty(candidate: str, role: str) -> str | None:
    """``candidate`` if it is a placeholder for ``role``, else None."""
    if len(candidate) > 40:
        return None
    low = candidate.lower()
    if low.isascii():
        key = low.encode("ascii").translate(None, _KEY_BYTES).decode("ascii")
    else:
        key = low.translate(_KEY)
    if key in EMPTY_TEXTS:
        return candidate
    if role in _INPUT_ROLES and (key in EMPTY_INPUTS or candidate in _DASHES):
        return candidate
    return None
