"""Prompt templates: Jinja2 files shipped in ``ftprep/llm/templates/``, each overridable from a
recipe by a file path or inline template text.

Templates render in a sandbox with strict undefined variables (a misspelt name fails at once),
and record text reaches them only through :func:`delimit`, which fences it so that the model
can be told to treat everything inside as data, never as instructions.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from ftprep.errors import FtprepError

#: the fence around untrusted text in a prompt
OPEN, CLOSE = "<<<DATA", "DATA>>>"
_FENCES = re.compile(r"<<<\s*DATA|DATA\s*>>>", re.IGNORECASE)


class PromptError(FtprepError, ValueError):
    """A template that cannot be read or rendered; the message names it."""


def delimit(text: str) -> str:
    """``text`` between the data fences, with any fence inside it defused, so that content
    cannot close the fence early and speak as the prompt."""
    return f"{OPEN}\n{_FENCES.sub(lambda m: m.group(0).replace('<', '‹').replace('>', '›'), text)}\n{CLOSE}"


def builtin(name: str) -> str:
    """The text of a shipped template (``judge_system``, ``judge_user``...)."""
    path = files("ftprep.llm").joinpath("templates", f"{name}.j2")
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"no built-in prompt template {name!r}") from None


def source(override: str | None, default: str) -> str:
    """The template text: ``override`` read as a file when it names one that exists (``.j2``,
    ``.jinja``, ``.txt``, ``.md``), else taken as template text; the built-in ``default`` when
    None."""
    if override is None:
        return builtin(default)
    if is_file(override):
        path = Path(override)
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PromptError(f"cannot read prompt template {override}: {exc.strerror}") from None
    return override


def is_file(override: str) -> bool:
    """Whether a template override names a file (one line ending .j2, .jinja, .txt or .md)."""
    return "\n" not in override and override.endswith((".j2", ".jinja", ".txt", ".md"))


@lru_cache(maxsize=64)
def _compiled(text: str) -> Any:
    from jinja2 import StrictUndefined, TemplateSyntaxError
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=False)
    env.filters["delimit"] = delimit
    try:
        return env.from_string(text)
    except TemplateSyntaxError as exc:
        raise PromptError(f"prompt template, line {exc.lineno}: {exc.message}") from None


def render(template: str, /, **values: Any) -> str:
    """``template`` rendered with ``values``; :class:`PromptError` naming what is missing."""
    from jinja2 import TemplateError

    try:
        return str(_compiled(template).render(**values)).strip()
    except TemplateError as exc:
        raise PromptError(f"prompt template: {exc}") from None


def check(template: str, /, **values: Any) -> str:
    """``template`` if it compiles and renders with sample ``values`` (for validation)."""
    render(template, **values)
    return template


def chat(system: str, user: str, /, **values: Any) -> list[dict[str, str]]:
    """The system and user messages of a prompt: both templates rendered with ``values`` and the
    data fence markers (``open``, ``close``)."""
    values = {"open": OPEN, "close": CLOSE, **values}
    return [
        {"role": "system", "content": render(system, **values)},
        {"role": "user", "content": render(user, **values)},
    ]
