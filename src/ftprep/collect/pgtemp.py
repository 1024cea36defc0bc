"""A throwaway PostgreSQL server on loopback: a fresh cluster in a temporary folder, for tests,
benchmarks and trying the SQL collector without a database of one's own.

It needs Debian's ``postgresql`` package (``apt-get install postgresql``: the server binaries
under ``/usr/lib/postgresql/<version>/bin``). The cluster uses password authentication
(scram-sha-256) and listens on 127.0.0.1 only; as root, it runs as the ``postgres`` user (the
server refuses root). Durability is off (``fsync=off``): it is for throwaway data.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def server_bin() -> Path | None:
    """The newest installed server's binaries, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def temporary_postgres(password: str, user: str = "ftprep") -> Iterator[str]:
    """Start a server; yields its SQLAlchemy URL (``postgresql+psycopg2://...``); stops it and
    removes its files at the end."""
    bindir = server_bin()
    if bindir is None:
        raise FileNotFoundError("no PostgreSQL server installed (apt-get install postgresql)")
    # not under a folder private to root: the server runs as the postgres user
    root = Path(tempfile.mkdtemp(prefix="ftprep-pg-"))
    data, sockets, pwfile = root / "data", root / "sock", root / "pw"
    sockets.mkdir()
    pwfile.write_text(password + "\n")
    as_owner: list[str] = []
    if os.geteuid() == 0:
        for path in (root, sockets, pwfile):
            shutil.chown(path, "postgres")
        os.chmod(root, 0o755)
        as_owner = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    try:
        subprocess.run(
            [*as_owner, str(bindir / "initdb"), "-D", str(data), "-U", user,
             "-A", "scram-sha-256", f"--pwfile={pwfile}", "--no-sync"],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run(
            [*as_owner, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w",
             "-l", str(root / "server.log"), "start"],
            check=True, capture_output=True,
        )  # fmt: skip
        yield f"postgresql+psycopg2://{user}:{password}@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*as_owner, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
            )
        shutil.rmtree(root, ignore_errors=True)
