"""filter.unseen_context: references to images, files and pages the model cannot see."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from ftprep.reading import iter_records, open_source
from ftprep.record import Message, Record
from ftprep.steps.filter.unseen_context import UnseenContextFilter

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def chat(user: str | list[dict[str, Any]], reply: str = "Here you go.") -> Record:
    return Record(messages=[Message("user", user), Message("assistant", reply)])


def value_of(record: Record, step: UnseenContextFilter | None = None) -> str | None:
    reject = (step or UnseenContextFilter()).check(record)
    assert reject is None or reject.code == "unseen_context"
    return None if reject is None else reject.value


@pytest.mark.parametrize(
    ("user", "value"),
    [
        ("Who painted it?\nhttps://upload.wikimedia.org/a/Degas.jpg", "Degas.jpg"),
        ("Colorize the following black and white photo.\nhttps://example.com/1.jpg", "1.jpg"),
        ("What does this chart show? https://i.imgur.com/AbC123.png", "AbC123.png"),
        ("Summarize my thesis: https://drive.google.com/file/d/1xYz/view", "drive.google.com"),
        ("Translate the PDF at https://example.com/report.pdf into French", "report.pdf"),
        ("Outline the main points of this article\nhttps://time.com/5798772/risk/", "time.com"),
        ("Given a website, classify the content.\nhttps://www.cnn.com/", "cnn.com"),
        ("What is the video about? https://youtu.be/dQw4w9WgXcQ", "youtu.be"),
        ("Please see attached and tell me what you think.", "see attached"),
        ("I've attached the spreadsheet, can you total column B?", "I've attached the"),
        ("What breed is the dog in the image above?", "the image above"),
        ("Can you read the error in this screenshot?", "this screenshot"),
        ("Who is the man in this picture?", "in this picture"),
        ("As shown in the figure, the curve flattens. Why?", "As shown in the figure"),
        ("Describe this photo in one sentence.", "Describe this photo"),
        ("Please find attached my CV.", "find attached"),
        ("I uploaded the logs, what is wrong?", "I uploaded the"),
        ("This is what I get: https://i.imgur.com/Tj4y9nx.png (GDPR request)", "imgur.com"),
    ],
)
def test_references_to_unseen_context(user: str, value: str) -> None:
    found = value_of(chat(user))
    assert found is not None and value in found


@pytest.mark.parametrize(
    "user",
    [
        "Write an HTML snippet that shows the image https://example.com/logo.png",
        "Write a Python script to download https://example.com/data.csv and sum column 2",
        "Parse a URL and extract the hostname.\nurl = 'https://docs.google.com/document'",
        "What about self-hosted stuff like Jellyfin? https://jellyfin.org/",
        "Sure, my website URL is www.mywebsite.com.",
        "How do I take a screenshot on Windows?",
        "I've included the tracking number in my first message.",
        "How do I push this image to Docker Hub?",
        "Describe the following painting: The Starry Night by Van Gogh.",
        "Can you write a caption for a photo of a sunset on the beach?",
        'Send my boss "Dear Boss, please find attached the monthly report. Best, Ann".',
        "Images in markdown use ![alt](https://example.com/cat.png), right?",
        "The figure skating final was great. Who won gold in 2022?",
        "```\n# see attached\nx = 1\n```\nWhat does this code print?",
        "",
    ],
)
def test_near_misses_are_kept(user: str) -> None:
    assert value_of(chat(user)) is None


def test_a_typed_image_part_is_seen() -> None:
    parts = [
        {"type": "text", "text": "What breed is the dog in this picture?"},
        {"type": "image_url", "image_url": {"url": "https://example.com/dog.jpg"}},
    ]
    assert value_of(chat(parts)) is None
    assert value_of(chat(parts[:1])) == "in this picture"
    later = Record(
        messages=[
            Message("user", parts),
            Message("assistant", "A corgi."),
            Message("user", "And the image above, is it recent?"),
        ]
    )
    assert value_of(later) is None  # the image came with an earlier turn


def test_side_channel_images_and_tokens_are_seen() -> None:
    record = chat("<image>What is in this picture?")
    assert value_of(record) is None
    record = chat("What is in this picture?")
    record.extra["images"] = ["photos/dog.jpg"]
    assert value_of(record) is None


def test_long_pasted_documents_are_not_looked_at() -> None:
    paper = "Our model denoises images. " * 60 + "As shown in Figure 3, quality improves."
    assert value_of(chat(f"Summarize this paper:\n{paper}")) is None
    assert value_of(chat(paper[-200:])) is not None
    assert value_of(chat(paper), UnseenContextFilter(max_chars=100_000)) is not None


def test_links_can_be_switched_off_and_phrases_added() -> None:
    assert value_of(chat("https://example.com/a.png"), UnseenContextFilter(links=False)) is None
    step = UnseenContextFilter(extra_phrases=[r"\bthe recording\b"])
    assert value_of(chat("Transcribe the recording please"), step) == "the recording"
    with pytest.raises(ValidationError, match="invalid regular expression"):
        UnseenContextFilter(extra_phrases=["[unclosed"])


def test_only_user_turns_by_default() -> None:
    record = chat("Tell me a joke.", reply="See the attached image for the punchline.")
    assert value_of(record) is None
    assert value_of(record, UnseenContextFilter(roles=["assistant"])) is not None


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not here")
def test_real_data() -> None:
    def drops(name: str) -> dict[int, str]:
        step = UnseenContextFilter()
        found = {}
        for record in iter_records(open_source(SHARED / name)):
            if isinstance(record, Record) and (reject := step.check(record)) is not None:
                assert record.source is not None
                found[record.source.line] = reject.value
        return found

    alpaca = drops("llama-factory/alpaca_en_demo.json")
    assert sorted(alpaca) == [156, 167, 285, 580, 652, 712, 713]
    assert alpaca[712] == "https://example.com/1.jpg"
    for clean in (
        "codealpaca/code_alpaca_2k.json",  # links in code requests are data
        "llama-factory/glaive_toolcall_en_demo.json",  # "find attached" inside a dictated email
        "oasst/en_100_tree.jsonl",  # "as shown in Figure 3" inside a pasted paper
    ):
        assert drops(clean) == {}


def test_an_error_code_is_not_a_coding_task() -> None:
    from ftprep.record import Record
    from ftprep.steps.filter.unseen_context import UnseenContextFilter

    record = Record.from_dict(
        {
            "messages": [
                {
                    "role": "user",
                    "content": "The app shows code NET-504. Here's a screenshot: "
                    "https://i.imgur.com/Ab12Cd3.png",
                },
                {"role": "assistant", "content": "NET-504 means the hub lost its connection."},
            ]
        }
    )
    reject = UnseenContextFilter().check(record)
    assert reject is not None and reject.code == "unseen_context"
