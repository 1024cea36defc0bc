"""The shape of one kind of conversation, shared by every scenario pool."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    """One kind of conversation: how it opens, how it is answered, how it may go on."""

    openers: tuple[str, ...]
    answers: tuple[str, ...]
    followups: tuple[tuple[str, str], ...]
    tool: str | None = None
    tool_answers: tuple[str, ...] = ()
    tool_query: str = ""  # search_help_center's query template
    tool_status: str = "in_transit"  # get_shipping_status's status
    literal: bool = False  # answers hold code: never formatted
    lead_ins: tuple[str, ...] = ()  # what users type before the question ("Quick question: ")
