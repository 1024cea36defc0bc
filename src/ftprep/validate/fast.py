"""The fast path for the common example, decoded and type-checked in C by msgspec.

An example whose messages are all ``system``/``developer``/``user``/``assistant`` messages with
string content (and, on assistant messages only, a ``weight`` of 0 or 1), and whose only other
keys are ``id`` and ``metadata``, is decoded straight into the structs below. Every other line,
and every line msgspec refuses for any reason, goes the general way (``orjson.loads`` and the dict
checks of :mod:`ftprep.validate.structure`), so the fast path only has to be right about what it
accepts: msgspec accepts no JSON that orjson rejects, and keeps the last of duplicate keys as
orjson does (it checks every one).

The checks themselves are not duplicated: the fast path runs cheap tests that hold whenever a
check could report something (see :func:`ftprep.validate.content.texts_are_clean`), and only then
calls the general checks, so the findings are the general path's, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any, Literal

import msgspec

from ftprep.validate.codes import CODES, WARNING
from ftprep.validate.content import texts_are_clean
from ftprep.validate.findings import Collector
from ftprep.validate.structure import check_order
from ftprep.validate.toolcheck import clean_functions, fits


class _Message(msgspec.Struct, tag_field="role", forbid_unknown_fields=True, gc=False):
    """A message of one role (its tag); no other keys. Not tracked by the garbage collector,
    which decoded JSON does not need: it holds no reference cycles."""


class System(_Message, tag="system"):
    content: str


class Developer(_Message, tag="developer"):
    content: str


class User(_Message, tag="user"):
    content: str


class Assistant(_Message, tag="assistant"):
    content: str
    weight: Literal[0, 1] | msgspec.UnsetType = msgspec.UNSET


Message = System | Developer | User | Assistant


class Example(msgspec.Struct, forbid_unknown_fields=True, gc=False):  # see _Message
    messages: list[Message]
    id: Any = msgspec.UNSET
    metadata: Any = msgspec.UNSET


class Function(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    name: str
    arguments: str


class ToolCall(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    id: str
    function: Function
    type: str = "function"


class Caller(_Message, tag="assistant"):
    """An assistant message of a tool-calling example: content may be null beside calls."""

    content: str | None = None
    tool_calls: list[ToolCall] | msgspec.UnsetType = msgspec.UNSET
    weight: Literal[0, 1] | msgspec.UnsetType = msgspec.UNSET


class ToolReply(_Message, tag="tool"):
    tool_call_id: str
    content: str


ToolMessage = System | Developer | User | Caller | ToolReply


class ToolExample(msgspec.Struct, forbid_unknown_fields=True, gc=False):  # see _Message
    """A function-calling example: ``tools`` kept as raw JSON, the key of its compiled
    schemas (see :func:`tool_example_is_clean`)."""

    messages: list[ToolMessage]
    tools: msgspec.Raw = msgspec.Raw()
    parallel_tool_calls: Any = msgspec.UNSET
    id: Any = msgspec.UNSET
    metadata: Any = msgspec.UNSET


ROLE_NAMES: dict[type, str] = {System: "system", Developer: "developer", User: "user"}
ROLE_NAMES[Assistant] = "assistant"
#: the message class of each role the plain fast path takes
ROLE_TYPES: dict[str, type] = {name: cls for cls, name in ROLE_NAMES.items()}
ROLE_NAMES[Caller] = "assistant"
ROLE_NAMES[ToolReply] = "tool"

#: the text of a fast-path message
content_of = attrgetter("content")


def decoder() -> msgspec.json.Decoder[Example]:
    """A decoder of :class:`Example`; ``decode`` raises on anything the fast path does not take."""
    return msgspec.json.Decoder(Example)


def tool_decoder() -> msgspec.json.Decoder[ToolExample]:
    """A decoder of :class:`ToolExample`, for the lines :func:`decoder` refuses."""
    return msgspec.json.Decoder(ToolExample)


@dataclass(frozen=True, slots=True)
class Roles:
    """What the role sequence of an example says, worked out once per distinct sequence."""

    names: tuple[str, ...]
    #: the codes the role-order checks report for this sequence (at any severity)
    order_codes: frozenset[str]
    missing_system: bool
    missing_user: bool
    replies: tuple[int, ...]
    users: tuple[int, ...]
    #: index of the first system message, or -1
    system: int
    #: the assistant texts out of the list of texts (a list or a tuple)
    pick_replies: Callable[[list[str]], Sequence[str]]
    #: the user texts, when there are two or more (else None: no duplicates to look for)
    pick_users: Callable[[list[str]], Sequence[str]] | None


class RolesCache:
    """:class:`Roles` by the tuple of message classes; bounded (cleared when full)."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        #: look-ups go straight here; :meth:`learn` fills it
        self.known: dict[tuple[type, ...], Roles] = {}
        self._probe = Collector(dict.fromkeys(CODES, WARNING), file="", examples=0)

    def get(self, key: tuple[type, ...]) -> Roles:
        return self.known.get(key) or self.learn(key)

    def learn(self, key: tuple[type, ...]) -> Roles:
        names = tuple(ROLE_NAMES[cls] for cls in key)
        probe = self._probe
        probe.counts.clear()
        check_order(list(names), probe, {})
        replies = tuple(i for i, r in enumerate(names) if r == "assistant")
        users = tuple(i for i, r in enumerate(names) if r == "user")
        roles = Roles(
            names=names,
            order_codes=frozenset(probe.counts),
            missing_system="system" not in names and "developer" not in names,
            missing_user="user" not in names,
            replies=replies,
            users=users,
            system=names.index("system") if "system" in names else -1,
            pick_replies=_picker(replies),
            pick_users=_picker(users) if len(users) > 1 else None,
        )
        if len(self.known) >= self.size:
            self.known.clear()
        self.known[key] = roles
        return roles


def _picker(indexes: tuple[int, ...]) -> Callable[[list[str]], Sequence[str]]:
    """A C-level getter of the items at ``indexes`` (always a sequence, even of one or none)."""
    if len(indexes) > 1:
        return itemgetter(*indexes)
    if indexes:
        return itemgetter(slice(indexes[0], indexes[0] + 1))
    return itemgetter(slice(0, 0))


def all_filled(texts: list[str]) -> bool:
    """Whether there are texts and none is empty or blank (``isspace`` copies nothing, where
    ``strip`` would copy every text)."""
    return bool(texts) and all(texts) and not any(map(str.isspace, texts))


def plain_texts_are_clean(roles: RolesCache, names: Sequence[str], texts: list[str]) -> bool:
    """Whether the checks of an example of plain turns (``names`` the roles, ``texts`` their
    string contents; no tools, tool calls, names, weights or other keys) certainly report
    nothing at any severity; False means "run the checks" (see :meth:`Checker.fast_example`)."""
    try:
        key = tuple(map(ROLE_TYPES.__getitem__, names))
    except KeyError:  # a tool message, or a role the fast path does not take
        return False
    if not all_filled(texts):
        return False
    known = roles.get(key)
    if known.order_codes:
        return False
    users = () if known.pick_users is None else known.pick_users(texts)
    return texts_are_clean(texts, "\x00".join(texts), known.pick_replies(texts), users)


@dataclass(slots=True)
class ToolTexts:
    """What :func:`tool_example_is_clean` hands back for the statistics."""

    key: tuple[type, ...]
    system: str | None


def tool_example_is_clean(roles: RolesCache, example: ToolExample) -> ToolTexts | None:
    """The example's role classes and system prompt when the general checks (structure, tools,
    role order, content) would certainly report nothing at any severity, else None ("run the
    checks"). Every test errs towards None: a tools list with any problem, a call to an unknown
    function or with arguments a quick schema check cannot vouch for, a call id used twice, a
    tool reply to no call or to one answered already, a call left unanswered before the last
    message, an empty text, an order or content finding."""
    functions = None
    if example.tools:
        functions = clean_functions(bytes(example.tools))
        if functions is None:
            return None
    texts: list[str] = []
    replies: list[str] = []
    users: list[str] = []
    #: call id -> index of its message while unanswered, -1 once answered
    calls: dict[str, int] = {}
    system = None
    messages = example.messages
    for i, message in enumerate(messages):
        text = message.content
        if isinstance(message, Caller) and message.tool_calls:
            if functions is None:
                return None
            for call in message.tool_calls:
                fn = call.function
                if call.id in calls or not fits(functions, fn.name, fn.arguments):
                    return None
                calls[call.id] = i
            if not text or text.isspace():
                continue  # a call without words: no text to check
        elif isinstance(message, ToolReply):
            if calls.get(message.tool_call_id, -1) < 0:
                return None
            calls[message.tool_call_id] = -1
        if not text or text.isspace():
            return None
        texts.append(text)
        if isinstance(message, User):
            users.append(text)
        elif isinstance(message, Caller):
            replies.append(text)
        elif isinstance(message, System) and system is None:
            system = text
    last = len(messages) - 1
    if any(0 <= index < last for index in calls.values()):
        return None
    key = tuple(map(type, messages))
    if roles.get(key).order_codes:
        return None
    if not texts_are_clean(texts, "\x00".join(texts), replies, users):
        return None
    return ToolTexts(key, system)
