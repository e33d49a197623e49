"""A real PostgreSQL for tests: `initdb` in a temp dir, loopback on a free port, gone afterwards.

Debian's `postgresql` package (installed by `make test`'s system step) ships the server in
/usr/lib/postgresql/<version>/bin. Postgres refuses to run as root, so as root the cluster
belongs to the `postgres` user (else `nobody`) and every server command runs through `runuser`.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from secondbrain_core.processes import free_port

USER = "dagster"
PASSWORD = "unused-trust-auth"  # loopback only, trust authentication: any password is accepted


def server_bin() -> Path | None:
    """The newest installed server's bin folder, or None without PostgreSQL."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


@dataclass
class Postgres:
    host: str
    port: int
    user: str
    password: str
    db: str

    def env(self) -> dict[str, str]:
        """The variables `deploy/dagster/production.yaml` reads."""
        return {
            "DAGSTER_POSTGRES_HOST": self.host,
            "DAGSTER_POSTGRES_PORT": str(self.port),
            "DAGSTER_POSTGRES_USER": self.user,
            "DAGSTER_POSTGRES_PASSWORD": self.password,
            "DAGSTER_POSTGRES_DB": self.db,
        }


def _as_owner(argv: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *argv] if owner else argv


@contextmanager
def running_postgres(db: str = "dagster") -> Iterator[Postgres]:
    """A fresh cluster with database `db`, stopped and deleted on exit."""
    bin_dir = server_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql: `make system-deps`)")
    owner = None
    if os.geteuid() == 0:
        owner = "postgres" if _user_exists("postgres") else "nobody"
    root = Path(tempfile.mkdtemp(prefix="sb-postgres-"))
    if owner:
        shutil.chown(root, user=owner)
    data, port = root / "data", free_port()

    def run(*argv: str) -> None:
        subprocess.run(_as_owner(list(argv), owner), check=True, capture_output=True, timeout=60)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", USER, "--no-sync")
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "server.log"), "-w", "start")
        try:
            run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", USER, db)
            yield Postgres("127.0.0.1", port, USER, PASSWORD, db)
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
