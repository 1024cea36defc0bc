"""Shared pytest fixtures.

Tokenizer fixtures: nothing may be downloaded at test time, so a small byte-level BPE tokenizer is
trained here on generated English sentences and saved the way a Hugging Face model directory holds
it (``tokenizer.json`` + ``tokenizer_config.json`` with a ChatML-style Jinja ``chat_template``).
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHATML_SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

#: ChatML-style template handling system/user/assistant/tool roles and ``tools``. The assistant's
#: reply sits inside ``{% generation %}`` so transformers can report which tokens are trained on.
CHATML_TEMPLATE = r"""
{%- if tools %}
{{- '<|im_start|>system\n' }}
{%- if messages[0].role == 'system' %}{{- messages[0].content + '\n\n' }}{%- endif %}
{{- '# Tools\n<tools>' }}
{%- for tool in tools %}{{- '\n' + (tool | tojson) }}{%- endfor %}
{{- '\n</tools><|im_end|>\n' }}
{%- endif %}
{%- for message in messages %}
{%- if message.role == 'system' and tools %}
{%- elif message.role == 'assistant' %}
{{- '<|im_start|>assistant\n' }}
{%- generation %}
{%- if message.content %}{{- message.content }}{%- endif %}
{%- for call in message.tool_calls or [] %}
{{- '\n<tool_call>{"name": "' + call.function.name + '", "arguments": ' }}
{{- (call.function.arguments | tojson) + '}</tool_call>' }}
{%- endfor %}
{{- '<|im_end|>' }}
{%- endgeneration %}
{{- '\n' }}
{%- elif message.role == 'tool' %}
{{- '<|im_start|>tool\n<tool_response>' + message.content + '</tool_response><|im_end|>\n' }}
{%- else %}
{{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' }}
{%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{- '<|im_start|>assistant\n' }}{%- endif %}
"""

_SUBJECTS = ["the cat", "a model", "my friend", "the weather", "this dataset", "our team", "python"]
_VERBS = ["reads", "writes", "counts", "prepares", "checks", "trains on", "explains", "returns"]
_OBJECTS = ["the tokens", "a long story", "clean data", "the answer", "three files", "JSON lines"]
_TAILS = ["today.", "quickly.", "again!", "before lunch.", "with care.", "for the user?", "(42)."]


def generated_sentences(n: int = 400, seed: int = 0) -> list[str]:
    """``n`` deterministic English-like sentences to train a throwaway tokenizer on."""
    rng = random.Random(seed)
    return [
        " ".join(rng.choice(words) for words in (_SUBJECTS, _VERBS, _OBJECTS, _TAILS)).capitalize()
        for _ in range(n)
    ]


def write_model_dir(
    directory: Path, tokenizer_json: Path, chat_template: str | None = CHATML_TEMPLATE
) -> Path:
    """Write a model directory holding a copy of ``tokenizer_json`` and a ``tokenizer_config.json``.

    ``chat_template=None`` writes a config without a template.
    """
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "tokenizer.json").write_bytes(tokenizer_json.read_bytes())
    config: dict[str, object] = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>",
        "model_max_length": 4096,
    }
    if chat_template is not None:
        config["chat_template"] = chat_template
    (directory / "tokenizer_config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return directory


@pytest.fixture(scope="session")
def trained_tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model directory with a freshly trained byte-level BPE and a ChatML chat template."""
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers import decoders, models, pre_tokenizers, trainers

    tokenizer = tokenizers.Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=1200,
        min_frequency=2,
        special_tokens=CHATML_SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(generated_sentences(), trainer=trainer)
    raw = tmp_path_factory.mktemp("tokenizer-raw") / "tokenizer.json"
    tokenizer.save(str(raw))
    return write_model_dir(tmp_path_factory.mktemp("chatml-model"), raw)


@pytest.fixture(scope="session")
def trained_tokenizer_json(trained_tokenizer_dir: Path) -> Path:
    """The ``tokenizer.json`` file inside :func:`trained_tokenizer_dir`."""
    return trained_tokenizer_dir / "tokenizer.json"


@pytest.fixture
def make_model_dir(tmp_path: Path, trained_tokenizer_json: Path) -> Callable[..., Path]:
    """Factory: ``make_model_dir(name, chat_template=CHATML_TEMPLATE)`` writes a model directory
    with the trained tokenizer under ``tmp_path`` (``chat_template=None``: no template)."""

    def make(name: str, chat_template: str | None = CHATML_TEMPLATE) -> Path:
        return write_model_dir(tmp_path / name, trained_tokenizer_json, chat_template)

    return make


# --- a real headless Chromium for the report, review page and review app tests -----------------
# Debian's ``chromium`` package (``scripts/test.sh`` installs it when missing) driven by
# Playwright with that browser, so nothing is downloaded. Without it the tests are skipped,
# except under CI, where that is a failure. Screenshots go to ``test-artifacts/``.

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="module")  # not longer: Playwright's loop must not outlive the module
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: scripts/test.sh installs it (apt-get)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
