"""normalize.unicode: mojibake repair, control characters, normalization forms."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from pydantic import ValidationError

from ftprep.record import Message, Record
from ftprep.steps.clean.unicode import UnicodeNormalizer

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def clean(text: str, **params: object) -> str:
    record = Record(messages=[Message("user", text)])
    UnicodeNormalizer(**params).apply(record)
    assert isinstance(record.messages[0].content, str)
    return record.messages[0].content


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("Je suis allÃ© au cafÃ© avec FranÃ§oise.", "Je suis allé au café avec Françoise."),
        ("Itâ€™s the â€œbestâ€\x9d deal â€” really.", "It’s the “best” deal — really."),
        ("voilÃ le travail", "voilà le travail"),  # the no-break space after Ã was lost
        ("Ã‰poque, naÃ¯ve, SchÃ¶ne GrÃ¼ÃŸe", "Époque, naïve, Schöne Grüße"),
        ("РџСЂРёРІРµС‚, РєР°Рє РґРµР»Р°?", "Привет, как дела?"),  # UTF-8 read as Windows-1251
        (
            "\x93Smart quotes\x94 from a Windows-1252 file",
            "“Smart quotes” from a Windows-1252 file",
        ),
        ("Price: 10 â‚¬ â€¦ ok", "Price: 10 € … ok"),
    ],
)
def test_repairs_mojibake(broken: str, fixed: str) -> None:
    assert clean(broken) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "Où est ma commande ? Le colis est arrivé abîmé « vraiment ».",
        "Schöne Grüße aus Köln, Fuß und Straße.",
        "MAÇÃ É BOA, NÃO É? São Paulo, Ângela.",
        "Ça coûte 3 € — voilà.",
        "Где мой заказ? Посылка пришла повреждённой, ёлки.",
        "Γειά σου, Κόσμε! Ά Έ Ή",
        "我的订单在哪里？包裹到的时候坏了……",
        "注文はどこですか？ルーターが切断されます。",
        "Price: £5 ± 0.5°C, ©2024 Acme™, ½ off",
        "It’s “fine” — café crème brûlée naïve résumé",
        "Family: 👨\u200d👩\u200d👧, flag: 🏳️\u200d🌈",
        "Hebrew \u200fשלום\u200f and Persian می\u200cخواهم",
    ],
)
def test_leaves_correct_text_alone(text: str) -> None:
    assert clean(text) == text


def test_removes_control_and_invisible_characters() -> None:
    text = "a\x00b\x07c\x1bd\x7fe\x85f\u200bg\ufeffh\u00adi\u2060j"
    assert clean(text, fix_mojibake=False) == "abcdefghij"
    assert clean("\ufeffHello") == "Hello"
    # a bidi override ("Trojan source") and isolates go; tabs and line endings stay
    assert clean("total \u202eevil\u202c and \u2066x\u2069") == "total evil and x"
    assert clean("col1\tcol2\r\nline\n") == "col1\tcol2\r\nline\n"
    assert clean("ascii\x00 text\x0b\x0c ok") == "ascii text ok"


def test_lone_surrogates_become_replacement_characters() -> None:
    record = Record(messages=[Message("user", json.loads('"broken \\ud83d emoji"'))])
    with pytest.raises(TypeError):
        orjson.dumps(record.to_dict())
    UnicodeNormalizer().apply(record)
    assert record.messages[0].content == "broken \ufffd emoji"
    orjson.dumps(record.to_dict())  # writable now


def test_normalization_forms() -> None:
    decomposed = "Cafe\u0301 cre\u0300me"
    assert clean(decomposed) == "Café crème"
    assert clean(decomposed, form="none") == decomposed
    assert clean("ﬁle Ｆｕｌｌ x²") == "ﬁle Ｆｕｌｌ x²"  # NFC keeps compatibility characters
    assert clean("ﬁle Ｆｕｌｌ x²", form="NFKC") == "file Full x2"


def test_each_fix_can_be_switched_off() -> None:
    text = "cafÃ©\u200b"
    assert clean(text) == "café"
    assert clean(text, fix_mojibake=False) == "cafÃ©"
    assert clean(text, control_chars=False) == "café\u200b"


def test_counts_each_fix_and_reaches_every_text() -> None:
    record = Record.from_dict(
        {
            "messages": [
                {"role": "system", "content": "Be nice\x00."},
                {"role": "user", "content": [{"type": "text", "text": "cafÃ© e\u0301"}]},
                {"role": "assistant", "content": None, "tool_calls": [_call()]},
                {"role": "assistant", "content": "Plain ASCII answer."},
            ]
        }
    )
    step = UnicodeNormalizer()
    step.apply(record)
    assert record.messages[0].content == "Be nice."
    assert record.messages[1].content == [{"type": "text", "text": "café é"}]
    assert record.messages[3].content == "Plain ASCII answer."
    counts = step.take_stats().counts
    assert counts == {"control_chars_removed": 1, "mojibake_fixed": 1, "normalized": 1}
    text_record = Record(text="naÃ¯ve")
    UnicodeNormalizer().apply(text_record)
    assert text_record.text == "naïve"


def test_clean_ascii_records_are_untouched() -> None:
    from ftprep.demo import iter_clean_chats

    step = UnicodeNormalizer()
    for row in iter_clean_chats(300, seed=5):
        record = Record.from_dict(row)
        step.apply(record)
        assert record == Record.from_dict(row)
    assert not step.take_stats().counts


def test_rejects_unknown_parameters() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        UnicodeNormalizer(fix_mojibak=True)
    with pytest.raises(ValidationError):
        UnicodeNormalizer(form="NFD")


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not here")
def test_real_mojibake_from_llama_factory() -> None:
    ftfy = pytest.importorskip("ftfy")
    rows = json.loads((SHARED / "llama-factory" / "kto_en_demo.json").read_text("utf-8"))
    step = UnicodeNormalizer(form="none", control_chars=False)
    changed = 0
    for row in rows:
        record = Record.from_dict({"messages": row["messages"]})
        step.apply(record)
        for before, after in zip(row["messages"], record.messages, strict=True):
            assert after.content == ftfy.fix_encoding(before["content"])
            changed += after.content != before["content"]
            assert "Ã©" not in after.content
    assert changed >= 2
    assert step.take_stats().counts["mojibake_fixed"] == changed


def _call() -> dict[str, object]:
    return {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
