"""Parameters of the LLM steps whose prompts are templates: the two overrides, checked when the
recipe is loaded and resolved relative to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, model_validator

from ftprep.llm.prompts import CLOSE, OPEN, check, is_file, source
from ftprep.steps.base import LLMStepParams


class PromptedParams(LLMStepParams):
    """An LLM step's parameters with its system and user prompt templates, each replaceable by a
    Jinja2 file (relative to the recipe) or the template text itself."""

    #: the built-in templates (system, user), in src/ftprep/llm/templates
    templates: ClassVar[tuple[str, str]]

    system_prompt: str | None = Field(
        None,
        description="A Jinja2 template (a file, relative to the recipe, or the text) replacing "
        "the step's built-in system prompt (src/ftprep/llm/templates).",
    )
    user_prompt: str | None = Field(
        None,
        description="A Jinja2 template (a file, relative to the recipe, or the text) replacing "
        "the step's built-in user prompt.",
    )

    def sample_values(self) -> dict[str, Any]:
        """Values like those the step renders its templates with (to check an override)."""
        raise NotImplementedError

    @model_validator(mode="after")
    def _check_templates(self) -> PromptedParams:
        values = {**self.sample_values(), "open": OPEN, "close": CLOSE}
        for given, default in zip(
            (self.system_prompt, self.user_prompt), self.templates, strict=True
        ):
            if given is None or not is_file(given) or Path(given).is_absolute():
                check(source(given, default), **values)  # a relative file: once resolved
        return self

    def prompts(self) -> tuple[str, str]:
        """The system and user template texts."""
        system, user = self.templates
        return source(self.system_prompt, system), source(self.user_prompt, user)

    def resolve_paths(self, base: Path) -> PromptedParams:
        params = super().resolve_paths(base)
        update = {
            name: str(base / value)
            for name in ("system_prompt", "user_prompt")
            if (value := getattr(params, name)) and is_file(value) and not Path(value).is_absolute()
        }
        if not update:
            return params  # type: ignore[return-value]
        return type(self).model_validate({**params.model_dump(), **update})
