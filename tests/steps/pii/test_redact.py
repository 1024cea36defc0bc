"""pii.redact: every mode, per turn, tool arguments, consistent pseudonyms, drop, secrets."""

from __future__ import annotations

import orjson
import pytest
from pydantic import ValidationError

from ftprep.errors import FtprepError
from ftprep.record import Provenance, Record
from ftprep.steps import Reject
from ftprep.steps.pii.redact import PiiRedactor

EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"


def chat(rid: str | None = "c1") -> Record:
    return Record.from_dict(
        {
            "id": rid,
            "messages": [
                {"role": "system", "content": "You are the support bot of Acme."},
                {"role": "user", "content": f"My email is {EMAIL} and my card is {CARD}."},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {
                                "name": "send_reset",
                                "arguments": orjson.dumps({"email": EMAIL}).decode(),
                            },
                        }
                    ],
                },
                {"role": "tool", "tool_call_id": "call_1", "content": f'{{"sent_to": "{EMAIL}"}}'},
                {"role": "assistant", "content": f"Done: a reset link went to {EMAIL}."},
            ],
        },
        Provenance("chats.jsonl", 7),
    )


def texts(record: Record) -> str:
    return orjson.dumps(record.to_dict()).decode()


def test_redact_every_turn_and_tool_arguments() -> None:
    step = PiiRedactor()
    out = step.apply(chat())
    assert isinstance(out, Record)
    dump = texts(out)
    assert EMAIL not in dump and "4111" not in dump
    assert out.messages[1].content == "My email is [EMAIL] and my card is [CREDIT_CARD]."
    args = orjson.loads(out.messages[2].tool_calls[0].arguments)  # type: ignore[index]
    assert args == {"email": "[EMAIL]"}  # still valid JSON
    assert out.messages[4].content == "Done: a reset link went to [EMAIL]."
    counts = step.take_stats().counts
    assert counts["pii.email"] == 4 and counts["pii.credit_card"] == 1
    assert counts["records_with_pii"] == 1


def test_roles_types_and_tool_arguments_switches() -> None:
    out = PiiRedactor(roles=["assistant"], tool_arguments=False, types=["email"]).apply(chat())
    assert isinstance(out, Record)
    assert EMAIL in out.messages[1].content  # type: ignore[operator]
    assert EMAIL in out.messages[2].tool_calls[0].arguments  # type: ignore[index]
    assert EMAIL not in out.messages[4].content  # type: ignore[operator]


def test_mask_keeps_shape() -> None:
    out = PiiRedactor(mode="mask", types=["email"]).apply(chat())
    assert isinstance(out, Record)
    assert "****.***@*******.***" in out.messages[1].content  # type: ignore[operator]


def test_pseudonyms_are_consistent_in_a_conversation_and_scoped() -> None:
    a = PiiRedactor(mode="pseudonymize").apply(chat("c1"))
    b = PiiRedactor(mode="pseudonymize").apply(chat("c1"))
    c = PiiRedactor(mode="pseudonymize").apply(chat("c2"))
    assert isinstance(a, Record) and isinstance(b, Record) and isinstance(c, Record)
    fake = orjson.loads(a.messages[2].tool_calls[0].arguments)["email"]  # type: ignore[index]
    assert fake != EMAIL and "@" in fake
    assert fake in a.messages[1].content and fake in a.messages[4].content  # type: ignore[operator]
    assert texts(a) == texts(b)  # deterministic across processes and runs
    assert fake not in texts(c)  # another conversation, another fake
    d1 = PiiRedactor(mode="pseudonymize", scope="dataset").apply(chat("c1"))
    d2 = PiiRedactor(mode="pseudonymize", scope="dataset").apply(chat("c2"))
    assert isinstance(d1, Record) and isinstance(d2, Record)
    assert d1.messages[1].content == d2.messages[1].content


def test_hash_needs_a_salt_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FTPREP_PII_SALT", raising=False)
    with pytest.raises(FtprepError, match="FTPREP_PII_SALT"):
        PiiRedactor(mode="hash").apply(chat())
    monkeypatch.setenv("MY_SALT", "s3cret-value")
    out = PiiRedactor(mode="hash", salt_env="MY_SALT", types=["email"]).apply(chat())
    assert isinstance(out, Record)
    assert "s3cret" not in texts(out)
    assert out.messages[1].content.startswith("My email is [EMAIL:")  # type: ignore[union-attr]


def test_drop_mode_rejects_with_counts() -> None:
    out = PiiRedactor(mode="drop").apply(chat())
    assert isinstance(out, Reject)
    assert out.code == "pii_found" and out.value["email"] == 4
    clean = Record.from_dict({"messages": [{"role": "user", "content": "Where is order 1234?"}]})
    assert PiiRedactor(mode="drop").apply(clean) is clean


def test_plain_text_records_and_bad_params() -> None:
    out = PiiRedactor().apply(Record(text=f"Contact {EMAIL} from 10.0.0.12 today"))
    assert isinstance(out, Record) and out.text == "Contact [EMAIL] from [IP_ADDRESS] today"
    with pytest.raises(ValidationError, match="unknown PII type"):
        PiiRedactor(types=["emails"])
    with pytest.raises(ValidationError):
        PiiRedactor(mode="erase")
