"""Build one realistic, clean chat record from the scenario pools.

:func:`build_chat` is the single source of clean records: the messy sample uses it for its clean
lines and as the base that defects are planted into, and the fast bulk generator pre-fills the
same pieces it is made of (:func:`opening_pair`, :func:`second_issue_pair`, :func:`tool_turns`...). A clean record has a system prompt, alternating user/assistant turns (tool results in
between), ends on an assistant turn, and keeps every message under 3,000 characters.
"""

from __future__ import annotations

import random
import re
from typing import Any

import orjson

from ftprep.demo import pools
from ftprep.demo.i18n import FOREIGN_CHATS
from ftprep.demo.scenario import Scenario
from ftprep.demo.slots import draw_slots, order_slots
from ftprep.demo.support import SUPPORT_CLOSINGS, SUPPORT_SCENARIOS
from ftprep.demo.topics import CODING, GENERAL, TOPIC_CLOSINGS

Message = dict[str, Any]
Pair = tuple[str, str]

FOREIGN_RATE = 0.035
TOOLS_RATE = 0.3  # support records from the deployment that has tools
CALL_RATE = 0.75  # of those, how often the assistant actually calls one (when the scenario can)
PARALLEL_RATE = 0.2
USER_TURN_WEIGHTS = (35, 30, 20, 10, 5)  # 1..5 user turns
_PARALLEL_PARTNER = {"get_shipping_status": "lookup_order", "get_payment_history": "lookup_order"}
_GREETING = re.compile(r"(?i)(hi|hello|hey)\b")
#: How a customer brings up a second issue later in a conversation.
SECOND_ISSUE_LEADS = ("Also, ", "One more thing: ", "Another question: ")


def build_chat(
    rng: random.Random,
    *,
    category: str | None = None,
    user_turns: int | None = None,
    tool_use: bool | None = None,
    parallel: bool | None = None,
    foreign: bool | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """One clean record. ``tool_use=True`` forces a tool call, ``False`` forbids tools;
    ``parallel=True`` forces two parallel calls (implies ``tool_use``); ``foreign=True`` forces a
    non-English chat, in ``lang`` if given. ``None`` defaults pick as the real mix would."""
    slots = draw_slots(rng)
    if foreign is None:
        unconstrained = category is None and user_turns is None and not (tool_use or parallel)
        foreign = unconstrained and rng.random() < FOREIGN_RATE
    if foreign:
        chats = [c for c in FOREIGN_CHATS if lang in (None, c[1])]
        category, lang, turns = rng.choice(chats)
        record: dict[str, Any] = {"messages": [system_message(rng, category, slots)]}
        for user, assistant in turns:
            record["messages"] += [_msg("user", user.format_map(slots))]
            record["messages"] += [_msg("assistant", assistant.format_map(slots))]
    else:
        if category is None:
            choices = pools.CATEGORIES
            if parallel or tool_use:
                choices = ("billing", "shipping") if parallel else pools.SUPPORT_CATEGORIES
            category = rng.choices(choices, pools.CATEGORY_WEIGHTS[: len(choices)])[0]
        lang = "en"
        record = _english(rng, category, slots, user_turns, tool_use, parallel)
    _weigh(rng, record["messages"])
    record["metadata"] = _metadata(rng, category, lang, slots["created_at"])
    return record


def _english(
    rng: random.Random,
    category: str,
    slots: dict[str, str],
    user_turns: int | None,
    tool_use: bool | None,
    parallel: bool | None,
) -> dict[str, Any]:
    tool_use = True if parallel else tool_use
    scenarios = scenarios_of(category)
    support = category in pools.SUPPORT_CATEGORIES
    if tool_use and not support:
        raise ValueError(f"category {category!r} has no tools")
    with_tools = support and tool_use is not False and (tool_use or rng.random() < TOOLS_RATE)
    if tool_use:
        wanted = _PARALLEL_PARTNER if parallel else pools.SUPPORT_TOOL_NAMES
        scenarios = tuple(s for s in scenarios if s.tool in wanted)
    scenario = rng.choice(scenarios)
    calls = bool(with_tools and scenario.tool and (tool_use or rng.random() < CALL_RATE))
    if parallel is None:
        parallel = calls and scenario.tool in _PARALLEL_PARTNER and rng.random() < PARALLEL_RATE
    if user_turns is None:
        user_turns = rng.choices(range(1, 6), USER_TURN_WEIGHTS)[0]
    opener, answer = opening_pair(rng, scenario, slots)
    messages = [system_message(rng, category, slots), _msg("user", opener)]
    if calls:
        messages += tool_turns(rng, scenario, slots, parallel=parallel)
    else:
        messages.append(_msg("assistant", answer))
    for user, assistant in later_turns(rng, category, scenario, slots, user_turns - 1):
        messages += [_msg("user", user), _msg("assistant", assistant)]
    record: dict[str, Any] = {"messages": messages}
    if with_tools:
        record["tools"] = [orjson.loads(orjson.dumps(t)) for t in pools.SUPPORT_TOOLS]
        if parallel:
            record["parallel_tool_calls"] = True
        elif rng.random() < 0.2:
            record["parallel_tool_calls"] = False
    return record


def later_turns(
    rng: random.Random, category: str, scenario: Scenario, slots: dict[str, str], count: int
) -> list[Pair]:
    """``count`` filled (user, assistant) pairs continuing a conversation: a follow-up on the
    issue, a second issue now and then (about another order), often a closing thank-you."""
    closing = count > 0 and rng.random() < 0.6
    pairs: list[Pair] = []
    current, followed = scenario, False
    others = [s for s in scenarios_of(category) if s is not scenario]
    while len(pairs) < count - closing:
        can_follow = not followed and current.followups
        if can_follow and (not others or rng.random() < 0.8):
            pairs.append(follow_up_pair(rng, current, slots))
            followed = True
        elif others:
            current, followed = others.pop(rng.randrange(len(others))), False
            slots = {**slots, **order_slots(rng)}
            pairs.append(second_issue_pair(rng, current, slots))
        else:  # every issue of the category raised: the chat is shorter than planned
            break
    if closing:
        pairs.append(closing_pair(rng, category, slots))
    return pairs


def opening_pair(rng: random.Random, scenario: Scenario, slots: dict[str, str]) -> Pair:
    """The customer's first message and the plain (tool-less) answer to it."""
    opener = _fill(rng.choice(scenario.openers), slots, scenario.literal)
    if scenario.lead_ins:
        opener = _with_lead(rng.choice(scenario.lead_ins), opener)
    return opener, _fill(rng.choice(scenario.answers), slots, scenario.literal)


def second_issue_pair(rng: random.Random, scenario: Scenario, slots: dict[str, str]) -> Pair:
    """The scenario raised later in a conversation: "Also, ..." and its answer."""
    openers = [o for o in scenario.openers if not _GREETING.match(o)] or scenario.openers
    user = _with_lead(rng.choice(SECOND_ISSUE_LEADS), rng.choice(openers))
    answer = rng.choice(scenario.answers)
    return _fill(user, slots, scenario.literal), _fill(answer, slots, scenario.literal)


def follow_up_pair(rng: random.Random, scenario: Scenario, slots: dict[str, str]) -> Pair:
    """One of the scenario's follow-ups (they are alternatives: it worked / it did not)."""
    user, answer = rng.choice(scenario.followups)
    return _fill(user, slots, scenario.literal), _fill(answer, slots, scenario.literal)


def closing_pair(rng: random.Random, category: str, slots: dict[str, str]) -> Pair:
    """A thank-you and the reply that ends the conversation."""
    support = category in pools.SUPPORT_CATEGORIES
    user, answer = rng.choice(SUPPORT_CLOSINGS if support else TOPIC_CLOSINGS)
    return _fill(user, slots, False), _fill(answer, slots, False)


def tool_turns(
    rng: random.Random, scenario: Scenario, slots: dict[str, str], *, parallel: bool
) -> list[Message]:
    """The assistant's function call(s), the tool result(s) and the answer that uses them."""
    assert scenario.tool is not None
    answer = _fill(rng.choice(scenario.tool_answers), slots, False)
    names = [scenario.tool, _PARALLEL_PARTNER[scenario.tool]] if parallel else [scenario.tool]
    calls, results = [], []
    for name in names:
        call_id = new_call_id(rng)
        args, result = tool_io(name, scenario, slots)
        function = {"name": name, "arguments": orjson.dumps(args).decode()}
        calls.append({"id": call_id, "type": "function", "function": function})
        results.append(
            {"role": "tool", "tool_call_id": call_id, "content": orjson.dumps(result).decode()}
        )
    return [
        {"role": "assistant", "content": None, "tool_calls": calls},
        *results,
        _msg("assistant", answer),
    ]


def tool_io(
    name: str, scenario: Scenario, s: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The arguments a call to ``name`` passes and the result the backend returns."""
    total = float(s["amount"].lstrip("$"))
    order = {"order_id": s["order_id"]}
    if name == "lookup_order":
        items = [{"name": s["product"], "qty": 1, "price": total}]
        if scenario.tool != name:  # looked up alongside the shipment
            return order, {**order, "status": "shipped", "items": items, "total": total}
        refund = {"amount": total, "status": "processing"}
        return order, {**order, "status": "return_received", "items": items, "refund": refund}
    if name == "get_shipping_status":
        scan = {"location": f"{s['city']} hub", "time": s["scan_time"]}
        info = {
            "carrier": s["carrier"],
            "tracking_number": s["tracking"],
            "status": scenario.tool_status,
        }
        return order, {**order, **info, "last_scan": scan, "eta": s["eta"]}
    if name == "get_payment_history":
        charge = {"amount": total, "currency": "USD", "card_last4": s["last4"]}
        charges = [{**charge, "status": "settled"}, {**charge, "status": "reversal_pending"}]
        return order, {**order, "charges": charges}
    if name == "get_invoice":
        url = f"https://example.com/invoices/{s['invoice_id']}.pdf"
        return order, {"invoice_id": s["invoice_id"], **order, "total": total, "url": url}
    if name == "send_password_reset":
        return {"email": s["email"]}, {"sent": True, "email": s["email"], "expires_in_minutes": 30}
    query = _fill(scenario.tool_query or "help", s, False)
    article = {"title": f"Troubleshooting: {query}", "url": "https://help.example.com/a/1187"}
    return {"query": query}, {"articles": [article]}


def new_call_id(rng: random.Random) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "call_" + "".join(rng.choices(alphabet, k=24))


def system_message(rng: random.Random, category: str, slots: dict[str, str]) -> Message:
    """The deployment's system prompt: mostly the main support prompt, sometimes dated or older."""
    if category == "coding_help":
        return _msg("system", pools.CODING_PROMPT)
    if category == "general_knowledge":
        return _msg("system", pools.GENERAL_PROMPT)
    roll = rng.random()
    if roll < 0.1:
        return _msg("system", pools.SUPPORT_PROMPT_V1)
    if roll < 0.2:
        return _msg("system", f"{pools.MAIN_SUPPORT_PROMPT} Today's date is {slots['today']}.")
    return _msg("system", pools.MAIN_SUPPORT_PROMPT)


def _weigh(rng: random.Random, messages: list[Message]) -> None:
    """Mark earlier answers ``weight: 0`` and the last ``weight: 1`` in some multi-turn chats."""
    answers = [m for m in messages if m["role"] == "assistant" and m.get("content")]
    if len(answers) >= 2 and rng.random() < 0.2:
        for m in answers:
            m["weight"] = 0
        answers[-1]["weight"] = 1
    elif answers and rng.random() < 0.04:
        answers[-1]["weight"] = 1


def _metadata(rng: random.Random, category: str, lang: str, created_at: str) -> dict[str, Any]:
    return {
        "source": rng.choice(pools.CHANNELS),
        "category": category,
        "rating": rng.choices((1, 2, 3, 4, 5), (5, 6, 12, 30, 47))[0],
        "created_at": created_at,
        "session_id": f"sess_{rng.getrandbits(64):016x}",
        "user_id": f"u_{rng.randint(100000, 999999)}",
        "lang": lang,
    }


def scenarios_of(category: str) -> tuple[Scenario, ...]:
    if category == "coding_help":
        return CODING
    if category == "general_knowledge":
        return GENERAL
    return SUPPORT_SCENARIOS[category]


def _msg(role: str, content: str) -> Message:
    return {"role": role, "content": content}


def _fill(template: str, slots: dict[str, str], literal: bool) -> str:
    return template if literal else template.format_map(slots)


def _with_lead(lead: str, text: str) -> str:
    """``lead + text``, lower-casing the text's first word when the lead runs on into it."""
    runs_on = lead.endswith(", ") or lead[-2:-1].isalpha()
    return lead + (_lower_first(text) if runs_on else text)


def _lower_first(text: str) -> str:
    if re.match(r"I\b|SQL|[A-Z]{2}", text):
        return text
    return text[:1].lower() + text[1:]
