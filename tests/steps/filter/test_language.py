"""filter.language: offline language identification of the user and assistant texts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ftprep.record import Message, Record
from ftprep.steps.filter.language import LanguageFilter

pytest.importorskip("py3langid")

SYSTEM = "You are Nova, the support assistant of Acme. Reply in the customer's language."

CHATS = {
    "en": (
        "Hi, my order A1234 still hasn't arrived and the tracking page hasn't changed in a week.",
        "Sorry about that! I've opened an investigation with the carrier and you'll hear back "
        "from us within two business days.",
    ),
    "fr": (
        "Bonjour, ma commande A1234 n'est toujours pas arrivée et le suivi ne bouge plus.",
        "Je suis désolé ! J'ai ouvert une enquête auprès du transporteur, vous aurez une réponse "
        "sous deux jours ouvrés.",
    ),
    "de": (
        "Hallo, meine Bestellung A1234 ist immer noch nicht angekommen und die Sendungsverfolgung "
        "zeigt seit einer Woche nichts Neues.",
        "Das tut mir leid! Ich habe beim Paketdienst einen Nachforschungsauftrag gestellt.",
    ),
    "es": (
        "Hola, mi pedido A1234 todavía no ha llegado y el seguimiento no cambia desde hace días.",
        "¡Lo siento mucho! He abierto una reclamación con la empresa de transporte y le "
        "responderemos en dos días hábiles.",
    ),
    "zh": (
        "你好，我的订单 A1234 还没有到，物流信息一个星期都没有更新了。",
        "非常抱歉！我已经联系快递公司调查，两个工作日内会回复您。",
    ),
    "ru": (
        "Здравствуйте, мой заказ A1234 до сих пор не пришёл, а отслеживание не меняется неделю.",
        "Извините за неудобства! Я открыл расследование у перевозчика, мы ответим в течение "
        "двух рабочих дней.",
    ),
    "ja": (
        "こんにちは、注文A1234がまだ届いていません。追跡情報も一週間更新されていません。",
        "ご迷惑をおかけして申し訳ございません。配送業者に調査を依頼しました。",
    ),
}


def chat(user: str, assistant: str, system: str = SYSTEM) -> Record:
    return Record(
        messages=[
            Message("system", system),
            Message("user", user),
            Message("assistant", assistant),
        ]
    )


@pytest.fixture(scope="module")
def english() -> LanguageFilter:
    return LanguageFilter()


@pytest.mark.parametrize("lang", sorted(CHATS))
def test_identifies_each_language(english: LanguageFilter, lang: str) -> None:
    record = chat(*CHATS[lang])
    reject = english.check(record)
    assert record.metadata["lang"] == lang
    if lang == "en":
        assert reject is None
    else:
        assert reject is not None and reject.code == "language_not_allowed"
        assert reject.value["lang"] == lang and 0.5 <= reject.value["confidence"] <= 1


def test_several_allowed_languages() -> None:
    step = LanguageFilter(allowed=["en", "FR ", "de"])
    assert step.check(chat(*CHATS["fr"])) is None
    assert step.check(chat(*CHATS["de"])) is None
    assert step.check(chat(*CHATS["es"])) is not None


def test_short_texts_are_not_judged() -> None:
    step = LanguageFilter()
    for user, assistant in [
        ("merci !", "De rien."),
        ("谢谢", "不客气"),
        ("ok", "👍"),
        ("A1234?", "42"),
    ]:
        record = chat(user, assistant)
        assert step.check(record) is None
        assert "lang" not in record.metadata
    assert step.take_stats().counts == {"too_short": 4}
    assert (
        LanguageFilter(min_chars=5).check(chat("merci beaucoup !", "De rien, bonne journée."))
        is not None
    )


def test_code_links_and_addresses_are_not_text() -> None:
    step = LanguageFilter()
    code_only = chat(
        "fix",
        "```python\ndef moyenne(valeurs):\n    return sum(valeurs) / len(valeurs)\n```",
    )
    assert step.check(code_only) is None and "lang" not in code_only.metadata
    english_about_code = chat(
        "Why does this fail with a ZeroDivisionError when the list is empty?",
        "Because `len(valeurs)` is zero then. Guard it:\n```python\nif not valeurs:\n"
        "    return 0.0\n```\nThat returns zero for an empty list instead of raising.",
    )
    assert step.check(english_about_code) is None
    assert english_about_code.metadata["lang"] == "en"
    urls = chat(
        "Voir https://exemple.fr/commande/suivi?id=A1234 et www.exemple.fr/aide",
        "Écrivez à service.client@exemple.fr",
    )
    assert step.sample(urls).split() == ["Voir", "et", "Écrivez", "à"]
    assert step.check(urls) is None  # what is left is too short to judge


def test_roles() -> None:
    french_with_english_system = chat(*CHATS["fr"], system=SYSTEM * 5)
    assert LanguageFilter().check(french_with_english_system) is not None
    english_user = chat(CHATS["en"][0], CHATS["fr"][1])
    assert LanguageFilter(roles=["user"]).check(english_user) is None
    assert LanguageFilter(roles=["assistant"]).check(english_user) is not None
    text = Record(text="Ceci est un document entièrement rédigé en français, sans exception.")
    assert LanguageFilter().check(text) is None  # no role `text` measured: kept
    assert LanguageFilter(roles=["text"]).check(text) is not None


def test_max_chars_cuts_the_sample() -> None:
    record = chat(CHATS["en"][0], CHATS["fr"][1] * 20)
    step = LanguageFilter(max_chars=100)
    assert len(step.sample(record)) == 100
    assert step.check(record) is None
    assert LanguageFilter().check(record) is not None


def test_uncertain_verdicts_keep_the_record() -> None:
    step = LanguageFilter(min_confidence=0.999, min_chars=5)
    record = chat("Me cobraron dos veces", "este mes.")
    assert step.check(record) is None
    assert "lang" not in record.metadata
    assert step.take_stats().counts == {"uncertain": 1}


def test_set_metadata_off() -> None:
    record = chat(*CHATS["de"])
    record.metadata["lang"] = "en"
    reject = LanguageFilter(set_metadata=False).check(record)
    assert reject is not None and record.metadata["lang"] == "en"


def test_text_parts() -> None:
    record = Record.from_dict(
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": CHATS["es"][0]}]},
                {"role": "assistant", "content": [{"type": "output_text", "text": CHATS["es"][1]}]},
            ]
        }
    )
    reject = LanguageFilter().check(record)
    assert reject is not None and reject.value["lang"] == "es"


def test_bad_parameters() -> None:
    with pytest.raises(ValidationError, match="not ISO 639"):
        LanguageFilter(allowed=["english"])
    with pytest.raises(ValidationError):
        LanguageFilter(allowed=[])
    with pytest.raises(ValidationError, match="Extra inputs"):
        LanguageFilter(languages=["en"])
    with pytest.raises(ValueError, match="does not know xx"):
        LanguageFilter(allowed=["en", "xx"]).check(chat(*CHATS["en"]))


def test_generated_chats(english: LanguageFilter) -> None:
    from ftprep.demo import iter_clean_chats

    rows = list(iter_clean_chats(600, seed=3))
    foreign = sum(row["metadata"]["lang"] != "en" for row in rows)
    dropped = []
    for row in rows:
        record = Record.from_dict(row)
        reject = english.check(record)
        assert record.metadata["lang"] == row["metadata"]["lang"]
        if reject is not None:
            dropped.append(reject.value["lang"])
    assert len(dropped) == foreign > 0
