"""The catalogue of validation findings: a stable code, a default severity and a one-line fix.

Severities are ``error`` (the trainer will reject or mis-train on it), ``warning`` (worth a look)
and ``off``. Defaults hold for the OpenAI target; ``TARGET_SEVERITY`` tightens them where another
trainer is stricter (LLaMA-Factory drops examples whose turns do not alternate). Users override any
code with ``--error CODE``, ``--warn CODE`` or ``--ignore CODE``.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING, OFF = "error", "warning", "off"
SEVERITIES = (ERROR, WARNING, OFF)


@dataclass(frozen=True, slots=True)
class Code:
    severity: str
    title: str
    hint: str


CODES: dict[str, Code] = {
    # the line itself
    "invalid_json": Code(
        ERROR,
        "line is not valid JSON",
        "fix the JSON syntax of this line; every line must be one complete JSON object",
    ),
    "invalid_utf8": Code(ERROR, "line is not valid UTF-8", "re-encode the file as UTF-8"),
    "not_an_object": Code(
        ERROR, "line is not a JSON object", 'each line must be an object like {"messages": [...]}'
    ),
    "unreadable_record": Code(
        ERROR, "record does not fit its format", "fix the field named in the message"
    ),
    "plain_text_record": Code(
        ERROR,
        "plain-text record, not a conversation",
        "chat fine-tuning needs messages; convert, or use a completion/pretraining target",
    ),
    "missing_messages": Code(ERROR, "no messages list", 'add a non-empty "messages" list'),
    "empty_messages": Code(
        ERROR, "messages list is empty", "add at least a user and an assistant message"
    ),
    "unrecognized_top_level_key": Code(
        WARNING,
        "unrecognized top-level key",
        'remove it, or keep it under "metadata" outside the training file',
    ),
    # messages
    "message_not_an_object": Code(
        ERROR, "message is not an object", 'each message must be {"role": ..., "content": ...}'
    ),
    "message_missing_key": Code(
        ERROR, "message has no role", 'add "role": one of system, user, assistant, tool'
    ),
    "unknown_role": Code(
        ERROR, "unrecognized role", "use system, developer, user, assistant or tool"
    ),
    "deprecated_function_role": Code(
        WARNING, "legacy 'function' role", "use tool_calls and the tool role instead"
    ),
    "unrecognized_key": Code(
        ERROR, "unrecognized message key", "remove the key or rename it (loss_weight -> weight)"
    ),
    "missing_content": Code(
        ERROR, "message has no content", "add content, or tool_calls for an assistant turn"
    ),
    "wrong_content_type": Code(
        ERROR, "content is not a string, null or a list of parts", "make content a string"
    ),
    "empty_content": Code(
        ERROR, "content is empty or whitespace", "write the content or drop the message"
    ),
    "no_assistant_message": Code(
        ERROR, "no assistant message", "add the assistant reply the model should learn"
    ),
    "no_user_message": Code(WARNING, "no user message", "add the user turn the assistant answers"),
    "no_system_message": Code(
        WARNING,
        "no system message",
        "add the system prompt used in production, the same in every example",
    ),
    "last_not_assistant": Code(
        WARNING,
        "last message is not the assistant's",
        "end the example with the assistant reply to train on",
    ),
    "consecutive_same_role": Code(
        WARNING,
        "two consecutive messages with the same role",
        "merge them or insert the missing turn",
    ),
    "system_not_first": Code(
        WARNING, "system message is not first", "move the system message to the start"
    ),
    "invalid_weight": Code(
        ERROR, "weight is not 0 or 1", "set weight to 0 (do not train) or 1 (train)"
    ),
    "weight_on_non_assistant": Code(
        WARNING,
        "weight on a non-assistant message",
        "weight only applies to assistant messages; remove it",
    ),
    "invalid_name": Code(ERROR, "name is not a string", "make name a string or remove it"),
    # tools
    "tool_calls_not_a_list": Code(
        ERROR, "tool_calls is not a list", "make tool_calls a list of {id, type, function}"
    ),
    "tool_calls_wrong_role": Code(
        ERROR, "tool_calls on a non-assistant message", "only assistant messages make tool calls"
    ),
    "malformed_tool_call": Code(
        ERROR,
        "tool call without function name",
        'each call needs {"type": "function", "function": {"name", "arguments"}}',
    ),
    "tool_call_missing_id": Code(
        WARNING,
        "tool call without id",
        "give each call an id that its tool message repeats in tool_call_id",
    ),
    "tool_arguments_not_string": Code(
        ERROR, "arguments is not a JSON string", "serialize the arguments object to a JSON string"
    ),
    "tool_arguments_invalid_json": Code(
        ERROR, "arguments are not valid JSON", "fix the JSON of the call's arguments"
    ),
    "tool_arguments_schema_mismatch": Code(
        ERROR,
        "arguments do not fit the function's schema",
        "make the arguments match the parameters schema in tools",
    ),
    "tool_unknown_function": Code(
        ERROR, "call to a function not in tools", "add the function to tools or fix its name"
    ),
    "tool_call_without_tools": Code(
        WARNING,
        "tool calls but no tools list",
        "add the tools (function schemas) the model could call",
    ),
    "duplicate_tool_call_id": Code(
        ERROR,
        "tool call id used twice in one conversation",
        "make every call id unique within the conversation",
    ),
    "tool_call_unanswered": Code(
        ERROR,
        "tool call not answered by a tool message",
        "add a tool message with the call's tool_call_id after it",
    ),
    "tool_response_orphan": Code(
        ERROR, "tool message answers no call", "set tool_call_id to the id of an earlier call"
    ),
    "tool_response_duplicate": Code(
        ERROR, "tool call answered twice", "keep one tool message per call"
    ),
    "tools_invalid": Code(
        ERROR,
        "tools is not a list of function definitions",
        'use [{"type": "function", "function": {"name", "parameters"}}]',
    ),
    "tools_invalid_schema": Code(
        ERROR,
        "function parameters are not valid JSON Schema",
        "use JSON Schema types (object, string, number, integer, boolean, array)",
    ),
    # content quality
    "short_message": Code(WARNING, "very short message", "check that the reply is complete"),
    "long_message": Code(
        WARNING, "very long message", "check for run-on or repeated text; split or trim it"
    ),
    "repetitive_content": Code(
        WARNING, "highly repetitive content", "the text repeats itself; trim the loop"
    ),
    "ai_hedging": Code(
        WARNING, "'As an AI' hedging in a reply", "rewrite the reply without the disclaimer"
    ),
    "refusal": Code(
        WARNING,
        "refusal without help",
        "replace with a helpful answer, or keep only deliberate refusals",
    ),
    "template_placeholder": Code(
        WARNING, "unfilled template placeholder", "fill in the {{placeholder}} before training"
    ),
    "mojibake": Code(
        WARNING,
        "mojibake (wrongly decoded text)",
        "repair the encoding (e.g. ftfy) or re-export as UTF-8",
    ),
    "duplicate_user_turn": Code(
        WARNING, "same user turn twice in a conversation", "remove the repeated turn"
    ),
    # tokens and file level
    "too_many_tokens": Code(
        WARNING, "example over the token limit", "shorten the example; the trainer truncates it"
    ),
    "inconsistent_system_prompt": Code(
        WARNING, "several distinct system prompts", "use the production system prompt consistently"
    ),
}

TARGETS = ("openai", "axolotl", "llama-factory", "trl")

#: where a target is stricter or looser than the OpenAI defaults
TARGET_SEVERITY: dict[str, dict[str, str]] = {
    "openai": {},
    "axolotl": {"unrecognized_key": WARNING, "plain_text_record": OFF},
    "llama-factory": {
        "unrecognized_key": WARNING,
        "plain_text_record": OFF,
        "last_not_assistant": ERROR,
        "consecutive_same_role": ERROR,
        "system_not_first": ERROR,
        "no_user_message": ERROR,
    },
    "trl": {"unrecognized_key": WARNING, "last_not_assistant": ERROR},
}


def severities(target: str, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The severity of every code for ``target`` after the user's overrides."""
    table = {code: spec.severity for code, spec in CODES.items()}
    table.update(TARGET_SEVERITY.get(target, {}))
    for code, severity in (overrides or {}).items():
        if code not in CODES:
            raise ValueError(f"unknown finding code {code!r}; see 'ftprep validate --list-codes'")
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}; use one of {', '.join(SEVERITIES)}")
        table[code] = severity
    return table
