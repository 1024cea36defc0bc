"""A real PostgreSQL server for the SQL collector's tests, started on loopback per test session
(:func:`ftprep.collect.pgtemp.temporary_postgres`).

The server comes from Debian's ``postgresql`` package, which ``scripts/test.sh`` installs when it
is missing. The cluster uses password authentication, so the tests also show that the password
never leaks. Without the package, the tests that need the server are skipped, except under CI,
where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from ftprep.collect.pgtemp import server_bin, temporary_postgres

PASSWORD = "s3cret-pw-7f9d"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    pytest.importorskip("psycopg2")
    pytest.importorskip("sqlalchemy")
    if server_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: scripts/test.sh installs it (apt-get)")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    with temporary_postgres(PASSWORD) as url:
        yield url
