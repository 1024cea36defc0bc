"""YAML with line numbers: each value of a document paired with the line it starts on."""

from __future__ import annotations

from typing import Any

import yaml

from ftprep.errors import FtprepError

#: a path into the document: mapping keys and list indexes
Path = tuple[str | int, ...]


class RecipeError(FtprepError):
    """A recipe that cannot run: names the file, line, step and key."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        step: str | None = None,
        key: str | None = None,
    ) -> None:
        self.file, self.line, self.step, self.key = file, line, step, key
        where = [file or "<recipe>"]
        if line is not None:
            where[0] += f":{line}"
        if step is not None:
            where.append(f"step {step}")
        if key is not None:
            where.append(key)
        super().__init__(f"{': '.join(where)}: {message}")


def load_yaml(text: str, file: str) -> tuple[Any, dict[Path, int]]:
    """The document in ``text`` and the 1-based line of every value in it, by path."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise RecipeError(f"not valid YAML: {problem}", file=file, line=line) from None
    lines: dict[Path, int] = {}
    if node is None:
        return None, lines
    return _build(node, (), lines), lines


def _build(node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.SafeLoader(  # a scalar key as YAML reads it
                ""
            ).construct_object(key_node, deep=True)
            out[key] = _build(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return yaml.SafeLoader("").construct_object(node, deep=True)


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of ``path``, or of its nearest ancestor that has one."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def parse_scalar(text: str) -> Any:
    """A ``--set`` value as YAML reads it: ``3`` is an int, ``true`` a bool, ``[a, b]`` a list."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text
