"""Log rows from a SQL database: any SQLAlchemy URL, a table or a query, streamed in batches.

The database does the heavy lifting: rows come ordered by session and time (so sessions are
built as they end, in memory bounded by the largest one), and the date window and the watermark
go into the ``WHERE`` clause when the timestamp column holds datetimes or epoch numbers (rows
outside are then never read). PostgreSQL streams through a server-side cursor
(``stream_results``), ``batch_size`` rows at a time; SQLite (``sqlite:///path``) needs no server.

Credentials come from the URL, from the environment variable ``url_env`` names (default
``DATABASE_URL``) or from the driver's own variables (``PGPASSWORD``...); the password never
appears in logs, manifests, rejects or error messages: every place a URL is shown, it is
masked (``postgresql://ftprep:***@host/db``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import Field, field_serializer, model_validator

from ftprep.collect.spec import RowSpec
from ftprep.collect.timestamps import to_epoch
from ftprep.errors import FtprepError, MissingExtraError
from ftprep.io import RawRow

#: the variable read for the URL when the recipe gives none
DEFAULT_URL_ENV = "DATABASE_URL"


class SqlSpec(RowSpec):
    """A table or query of a SQL database: how to reach it, its fields, what to keep."""

    url: str | None = Field(
        None,
        description="A SQLAlchemy URL (postgresql://user@host/db, sqlite:///file.db); better "
        "without the password, which the driver can read from its own variable (PGPASSWORD).",
    )
    url_env: str = Field(
        DEFAULT_URL_ENV, description="The environment variable holding the URL when `url` is unset."
    )
    table: str | None = Field(None, description="A table (or schema.table) to read whole.")
    query: str | None = Field(None, description="A SELECT whose rows are the log.")
    batch_size: int = Field(5000, ge=1, description="Rows fetched from the server at a time.")

    @model_validator(mode="after")
    def _table_or_query(self) -> SqlSpec:
        if (self.table is None) == (self.query is None):
            raise ValueError("give a table or a query (one of them)")
        return self

    @field_serializer("url")
    def _masked(self, url: str | None) -> str | None:
        return mask_url(url) if url else url

    def resolved_url(self) -> str:
        """The URL to connect with: the recipe's, else the environment's."""
        url = self.url or os.environ.get(self.url_env)
        if not url:
            raise FtprepError(
                f"no database URL: set `url` or the environment variable {self.url_env}"
            )
        return url

    def relative_to(self, base: Path) -> SqlSpec:
        """The spec with a relative SQLite file in its URL taken relative to ``base`` (the
        recipe's folder), as every other path of a recipe is."""
        if not self.url:
            return self
        url = _sqlalchemy().engine.make_url(self.url)
        database = url.database
        if not url.drivername.startswith("sqlite") or not database or database == ":memory:":
            return self
        if Path(database).is_absolute() or database.startswith("file:"):
            return self
        absolute = url.set(database=str(base / database))
        return self.model_copy(update={"url": absolute.render_as_string(hide_password=False)})

    def display(self) -> str:
        """How the source is named in rejects and summaries (no password)."""
        return f"{mask_url(self.resolved_url())}#{self.table or 'query'}"


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (as it may be shown anywhere)."""
    sqlalchemy = _sqlalchemy()
    try:
        parsed = sqlalchemy.engine.make_url(url)
    except Exception:  # not a URL SQLAlchemy reads: show nothing of it
        return "<database URL>"
    return str(parsed.render_as_string(hide_password=True))


def _sqlalchemy() -> Any:
    try:
        import sqlalchemy
    except ImportError:  # pragma: no cover - the extra is part of `all`
        raise MissingExtraError("SQL sources", "sql", "sqlalchemy") from None
    return sqlalchemy


class SqlRows:
    """The rows of ``spec``'s table or query, in the order the collector groups them."""

    def __init__(self, spec: SqlSpec, watermark: float | None = None) -> None:
        self.spec = spec
        self.watermark = watermark
        self.pushed_down: list[str] = []  # the filters the database applied

    def __iter__(self) -> Iterator[RawRow]:
        sqlalchemy = _sqlalchemy()
        spec = self.spec
        try:
            engine = sqlalchemy.create_engine(spec.resolved_url())
        except Exception as exc:
            raise FtprepError(f"{spec.display()}: cannot use the URL: {_clean(exc)}") from None
        try:
            with engine.connect() as conn:
                statement, params = self._statement(conn)
                result = conn.execution_options(
                    stream_results=True, yield_per=spec.batch_size
                ).execute(sqlalchemy.text(statement), params)
                for number, row in enumerate(result.mappings(), 1):
                    yield RawRow(number, dict(row))
        except sqlalchemy.exc.SQLAlchemyError as exc:
            raise FtprepError(f"{spec.display()}: {_clean(exc)}") from None
        finally:
            engine.dispose()

    def _statement(self, conn: Any) -> tuple[str, dict[str, Any]]:
        spec = self.spec
        quote = conn.dialect.identifier_preparer.quote
        source = (
            ".".join(quote(part) for part in spec.table.split("."))
            if spec.table is not None
            else f"({spec.query.strip().rstrip(';')}) AS ftprep_rows"  # type: ignore[union-attr]
        )
        where, params = self._window(conn, source, quote)
        order = [quote(f) for f in (spec.session, spec.timestamp) if f is not None]
        statement = f"SELECT * FROM {source}"
        if where:
            statement += " WHERE " + " AND ".join(where)
        if spec.session is not None:
            statement += " ORDER BY " + ", ".join(order)
        return statement, params

    def _window(self, conn: Any, source: str, quote: Any) -> tuple[list[str], dict[str, Any]]:
        """The date window and watermark as SQL conditions, when the column's values allow."""
        spec = self.spec
        bounds = {
            "ftprep_after": self.watermark,
            "ftprep_since": to_epoch(spec.since) if spec.since is not None else None,
            "ftprep_until": to_epoch(spec.until) if spec.until is not None else None,
        }
        if spec.timestamp is None or all(v is None for v in bounds.values()):
            return [], {}
        column = quote(spec.timestamp)
        sqlalchemy = _sqlalchemy()
        probe = f"SELECT {column} FROM {source} WHERE {column} IS NOT NULL LIMIT 1"
        sample = conn.execute(sqlalchemy.text(probe)).scalar()
        convert = _converter(sample)
        if convert is None:  # text or unknown: the collector filters each row instead
            return [], {}
        ops = {"ftprep_after": ">", "ftprep_since": ">=", "ftprep_until": "<"}
        where, params = [], {}
        for name, value in bounds.items():
            if value is not None:
                where.append(f"{column} {ops[name]} :{name}")
                params[name] = convert(value)
                self.pushed_down.append(name.removeprefix("ftprep_"))
        return where, params


def _converter(sample: Any) -> Any:
    """How to turn epoch seconds into a value comparable with the column ``sample`` came from."""
    if isinstance(sample, dt.datetime):
        if sample.tzinfo is not None:
            return lambda epoch: dt.datetime.fromtimestamp(epoch, dt.UTC)
        return lambda epoch: dt.datetime.fromtimestamp(epoch, dt.UTC).replace(tzinfo=None)
    if isinstance(sample, (int, float, Decimal)) and not isinstance(sample, bool):
        size = abs(float(sample))
        scale = 1e6 if size >= 1e14 else 1e3 if size >= 1e11 else 1.0
        return lambda epoch: epoch * scale
    return None


def _clean(exc: BaseException) -> str:
    """An error's message on one line, without SQLAlchemy's background link."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    text = text.split("\n(Background on this error", 1)[0]
    return " ".join(text.split())
