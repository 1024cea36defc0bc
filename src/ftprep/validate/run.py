"""The per-example loop of ``ftprep validate``: checks, distributions and token counts.

:meth:`Checker.scan_jsonl` is the hot loop for OpenAI chat JSON Lines: each line is first offered
to the msgspec fast path (:mod:`ftprep.validate.fast`) and goes the general way (``orjson.loads``
and :meth:`Checker.example`) when that refuses it. It reads any byte range of the file, so that
worker processes can share a file (:mod:`ftprep.validate.parallel`).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import orjson

from ftprep.gcpause import fewer_collections
from ftprep.io.jsonl import describe_line_error, iter_line_blocks
from ftprep.tokens import TokenCounter
from ftprep.validate.content import check_texts, texts_are_clean
from ftprep.validate.fast import (
    Example,
    Roles,
    RolesCache,
    ToolExample,
    all_filled,
    content_of,
    decoder,
    tool_decoder,
    tool_example_is_clean,
)
from ftprep.validate.report import ValidationReport
from ftprep.validate.stats import Distribution
from ftprep.validate.structure import check_example, check_order

#: distinct system prompts remembered; beyond this they are counted, not stored
MAX_SYSTEM_PROMPTS = 10_000


class Cancelled(Exception):
    """A scan was told to stop (see :meth:`Checker.scan_jsonl`)."""


class PromptOverflow(Exception):
    """A system prompt could not be remembered (raised only when asked to, see :class:`Checker`)."""


class Checker:
    """Checks examples into a :class:`ValidationReport`.

    ``exact_prompts`` raises :class:`PromptOverflow` instead of leaving out a system prompt once
    :data:`MAX_SYSTEM_PROMPTS` are remembered: a worker that reads the middle of a file cannot know
    which prompts the whole-file count would keep, so the file is then checked in one process.
    """

    def __init__(
        self,
        report: ValidationReport,
        counter: TokenCounter | None,
        *,
        exact_prompts: bool = False,
    ) -> None:
        self.report = report
        self.counter = counter
        self.exact_prompts = exact_prompts
        self.billing_tokens = 0
        self.roles = RolesCache()
        self.known_roles = self.roles.known
        #: fast-path examples by role sequence (cheaper than counting each), until a scan ends
        self.fast_seen: Counter[tuple[type, ...]] = Counter()

    def scan_jsonl(
        self,
        path: str | os.PathLike[str],
        start: int = 0,
        end: int | None = None,
        *,
        cancel: Callable[[], bool] | None = None,
    ) -> int:
        """Check every line of bytes ``[start, end)`` of a JSONL file; return the number of lines.

        Line numbers start at 1 at ``start``; the caller offsets them for a later range.
        ``cancel`` is asked before each chunk; when it says True, :class:`Cancelled` is raised.
        """
        line_no = 0
        self.fast_seen.clear()
        try:
            with fewer_collections():
                line_no = self._scan(path, start, end, cancel)
        finally:
            self._count_fast_examples()
        return line_no

    def _count_fast_examples(self) -> None:
        """Add the fast-path examples, counted by role sequence, to the report."""
        report = self.report
        sizes = Distribution()
        for key, n in self.fast_seen.items():
            roles = self.roles.get(key)
            report.examples += n
            report.missing_system += n if roles.missing_system else 0
            report.missing_user += n if roles.missing_user else 0
            sizes.counts[len(key)] += n
            sizes.n += n
            sizes.total += n * len(key)
        report.messages.merge(sizes)
        self.fast_seen.clear()

    def _scan(
        self,
        path: str | os.PathLike[str],
        start: int,
        end: int | None,
        cancel: Callable[[], bool] | None,
    ) -> int:
        decode, decode_tools = decoder().decode, tool_decoder().decode
        fast, fast_tools = self.fast_example, self.fast_tool_example
        general = self._general_line
        line_no = 0
        for block, pos, size, final in iter_line_blocks(path, start, end):
            if cancel is not None and cancel():
                raise Cancelled
            self._count_fast_examples()  # once a chunk, so that fast_seen stays small
            # lines as memoryview slices: msgspec decodes them without a copy of each line
            view, find = memoryview(block), block.find
            while pos < size:
                stop = find(b"\n", pos, size)
                if stop < 0:
                    stop = size  # the file's last line, without a newline
                line_no += 1
                # no test for tools first: msgspec refuses them as soon as it meets them, at
                # less cost than looking for '"tool' in every line
                try:
                    example = decode(view[pos:stop])
                except Exception:  # a tool-calling example, or else the general way
                    try:
                        calling = decode_tools(view[pos:stop])
                    except Exception:
                        general(line_no, block[pos:stop], final)
                    else:
                        if not fast_tools(line_no, calling):
                            general(line_no, block[pos:stop], final)
                else:
                    if not fast(line_no, example):
                        general(line_no, block[pos:stop], final)
                pos = stop + 1
            view.release()
        return line_no

    def _general_line(self, line: int, raw: bytes, final: bool) -> None:
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            error = describe_line_error(raw, final=final)
            if error is not None:  # None: a blank line
                out = self.report.findings
                out.start(line)
                out.add("invalid_utf8" if "UTF-8" in error else "invalid_json", detail=error)
                out.finish()
            return
        self.example(line, value)

    def fast_example(self, line: int, example: Example) -> bool:
        """Check a fast-path example; False (having done nothing) when it needs the general path."""
        messages = example.messages
        texts = list(map(content_of, messages))
        if not all_filled(texts):  # an empty or blank text: for the general path
            return False
        key = tuple(map(type, messages))
        roles = self.known_roles.get(key) or self.roles.learn(key)
        replies = roles.pick_replies(texts)
        users = () if roles.pick_users is None else roles.pick_users(texts)
        had_error = False
        if roles.order_codes or not texts_are_clean(texts, "\x00".join(texts), replies, users):
            had_error = self._fast_findings(line, roles, texts)
        self.fast_seen[key] += 1  # counted into the report at the end of the scan
        if roles.system >= 0:
            self._system_prompt(texts[roles.system])
        if self.counter is not None and not had_error:
            rows = [{"role": r, "content": t} for r, t in zip(roles.names, texts, strict=True)]
            self._tokens({}, rows, line)
        return True

    def fast_tool_example(self, line: int, example: ToolExample) -> bool:
        """Count a function-calling example that certainly draws no finding; False (having done
        nothing) when it needs the general path, as does any example when tokens are counted."""
        if self.counter is not None:
            return False
        clean = tool_example_is_clean(self.roles, example)
        if clean is None:
            return False
        self.fast_seen[clean.key] += 1
        if clean.system is not None:
            self._system_prompt(clean.system)
        return True

    def _fast_findings(self, line: int, roles: Roles, texts: list[str]) -> bool:
        """Run the general text and role-order checks on a fast-path example; True on an error."""
        out = self.report.findings
        out.start(line)
        names = roles.names
        check_texts([(i, names[i], text) for i, text in enumerate(texts)], out)
        check_order(list(names), out, {})
        return out.finish()

    def example(self, line: int, row: Any) -> None:
        """Check one decoded example (any JSON value) the general way."""
        report, out = self.report, self.report.findings
        out.start(line)
        facts: dict[str, Any] = {"calls": False}
        messages = check_example(row, out, facts)
        had_error = out.finish()
        report.examples += 1
        if messages is None:
            return
        report.messages.add(len(messages))
        roles = facts.get("roles", ())
        if "system" not in roles and "developer" not in roles:
            report.missing_system += 1
        if "user" not in roles:
            report.missing_user += 1
        prompt = facts.get("system")
        if prompt is not None:
            self._system_prompt(prompt)
        if self.counter is not None and not had_error:
            self._tokens(row, messages, line)

    def _system_prompt(self, prompt: str) -> None:
        prompts = self.report.system_prompts
        if prompt in prompts or len(prompts) < MAX_SYSTEM_PROMPTS:
            prompts[prompt] += 1
        elif self.exact_prompts:
            raise PromptOverflow(prompt[:60])

    def _tokens(self, row: dict[str, Any], messages: list[Any], line: int) -> None:
        assert self.counter is not None
        tools = row.get("tools")
        total, assistant = self.counter.count_messages(
            messages, tools if isinstance(tools, list) else None
        )
        report = self.report
        report.total_tokens.add(total)
        report.assistant_tokens.add(assistant)
        self.billing_tokens += min(total, report.token_limit)
        if total > report.token_limit:
            report.over_limit += 1
            report.findings.start(line)
            report.findings.add(
                "too_many_tokens", detail=f"{total:,} tokens > {report.token_limit:,}"
            )
            report.findings.finish()


def file_level(report: ValidationReport) -> None:
    """The checks of the whole file, once every example is in."""
    prompts = report.system_prompts
    if len(prompts) > 1:
        (top, n), *_ = prompts.most_common(1)
        out = report.findings
        out.start(None)
        out.add(
            "inconsistent_system_prompt",
            field="system",
            detail=f"{len(prompts):,} distinct system prompts; the most common is in {n:,} of "
            f"{sum(prompts.values()):,} examples: {top[:60]!r}",
        )
        out.finish()
