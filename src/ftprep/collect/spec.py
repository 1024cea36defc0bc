"""What a collector of log rows is told: the fields of a row, the sender roles, and which
conversations to keep (:class:`RowSpec`; :class:`LogSpec` for a file, ``SqlSpec`` for a
database). See :mod:`ftprep.collect.logs` for what each field means to the collector."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: the senders every log tool writes, by role; ``roles`` adds to them
DEFAULT_ROLES: dict[str, str] = {
    **dict.fromkeys(("user", "human", "customer", "client", "visitor", "prompter"), "user"),
    **dict.fromkeys(
        ("assistant", "agent", "bot", "ai", "gpt", "model", "support", "operator", "chatbot"),
        "assistant",
    ),
    "system": "system",
    "developer": "developer",
    **dict.fromkeys(("tool", "function"), "tool"),
}


class RowSpec(BaseModel):
    """What a log's fields are called and which conversations to keep (what every collector of
    log rows shares: files, SQL tables)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # the shape of a row
    prompt: str | None = Field(None, description="Field of an exchange row's user text.")
    response: str | None = Field(None, description="Field of an exchange row's reply.")
    messages: str | None = Field(None, description="Field of a row's list of messages.")
    sender: str = Field("sender", description="Field (of a turn row or a message): who sent it.")
    text: str = Field("text", description="Field (of a turn row or a message): what was sent.")
    session: str | None = Field(None, description="Field of the session (conversation) id.")
    timestamp: str | None = Field(None, description="Field of the row's time.")
    id: str | None = Field(None, description="Field of a row's id (exchange/conversation rows).")
    rating: str | None = Field(None, description="Field of the rating (numbers, up/down).")
    status: str | None = Field(None, description="Field of the resolution status.")
    agent_type: str | None = Field(None, description="Field of the agent type (human, bot...).")
    error: str | None = Field(None, description="Field of the error flag (or error message).")
    system: str | None = Field(None, description="Field of a per-row system prompt.")
    keep: list[str] = Field(
        default_factory=list, description="Other fields copied into metadata (last non-empty)."
    )
    roles: dict[str, str] = Field(
        default_factory=dict,
        description="Sender -> role (user, assistant, system, developer, tool), added to the "
        "usual ones (customer, human -> user; agent, bot, ai -> assistant...).",
    )
    # what to keep
    since: dt.datetime | dt.date | None = Field(None, description="Rows at or after this time.")
    until: dt.datetime | dt.date | None = Field(None, description="Rows before this time.")
    min_rating: float | None = Field(None, description="Conversations rated at least this.")
    statuses: list[str] | None = Field(
        None, description="Resolution statuses kept (case-insensitive), e.g. [resolved]."
    )
    agent_types: list[str] | None = Field(
        None, description="Agent types allowed (every agent turn), e.g. [human]."
    )
    drop_errors: bool = Field(True, description="Drop conversations with a row flagged as error.")
    max_input_chars: int | None = Field(None, ge=1, description="Longest user turn.")
    max_output_chars: int | None = Field(None, ge=1, description="Longest assistant turn.")
    system_prompt: str | None = Field(None, description="A system message put first.")
    merge_consecutive: bool = Field(
        True, description="Join consecutive turns of one role (a user typing in several lines)."
    )
    watermark: str | None = Field(
        None,
        description="A state file (relative to the recipe): each run collects only rows newer "
        "than the newest row of the run before, and stores the new mark when it succeeds.",
    )
    buffer_rows: int = Field(
        200_000, ge=1000, description="Rows held in memory while grouping sessions."
    )

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, value: dict[str, str]) -> dict[str, str]:
        for sender, role in value.items():
            if role not in ("user", "assistant", "system", "developer", "tool"):
                raise ValueError(f"sender {sender!r}: unknown role {role!r}")
        return value

    @model_validator(mode="after")
    def _one_shape(self) -> RowSpec:
        if (self.prompt is None) != (self.response is None):
            raise ValueError("prompt and response go together")
        if self.prompt is not None and self.messages is not None:
            raise ValueError("a row is an exchange (prompt/response) or has messages, not both")
        if self.shape == "turn" and self.session is None:
            raise ValueError(
                "turn rows (sender/text) need `session` to be grouped into conversations; "
                "map `prompt`/`response` or `messages` for rows that stand alone"
            )
        needs_time = self.since or self.until or self.watermark
        if needs_time and self.timestamp is None:
            raise ValueError("since, until and watermark need the `timestamp` field")
        return self

    @property
    def shape(self) -> str:
        if self.prompt is not None:
            return "exchange"
        return "conversation" if self.messages is not None else "turn"


class LogSpec(RowSpec):
    """A log file: where it is, its fields, and which conversations to keep."""

    path: str = Field(description="The log file (JSONL, CSV...), relative to the recipe.")
    container: str | None = Field(None, description="jsonl, csv, tsv... (default: detected).")
