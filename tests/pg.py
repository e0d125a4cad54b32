"""A throwaway PostgreSQL server for the tests: temporary data dir, free port, torn down after."""

import os
import shutil
import socket
import subprocess
import tempfile

import psycopg

from tests import processes
from tests.processes import wait_until_ready


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """initdb + postgres as the `postgres` user (they refuse to run as root)."""

    def __init__(self):
        self.bindir = subprocess.check_output(["pg_config", "--bindir"], text=True).strip()
        # pytest's tmp_path is closed to the postgres user: use a directory of our own.
        self.base = tempfile.mkdtemp(prefix="portal-pg-", dir="/tmp")
        self.data = os.path.join(self.base, "data")
        self.port = free_port()
        self.process = None
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")

    def start(self) -> "PostgresServer":
        subprocess.run(
            self.as_postgres
            + [
                f"{self.bindir}/initdb",
                "-D",
                self.data,
                "-A",
                "trust",
                "-U",
                "portal",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],  # fmt: skip
            check=True,
            capture_output=True,
        )
        return self.resume()

    def resume(self) -> "PostgresServer":
        """Run the server on the data directory and port it has (again, after `halt`)."""
        log = open(os.path.join(self.base, "server.log"), "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            self.as_postgres
            + [
                f"{self.bindir}/postgres",
                "-D",
                self.data,
                "-p",
                str(self.port),
                "-k",
                self.base,
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ],  # fmt: skip
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_until_ready(self.process, self._accepts, 30, "PostgreSQL", self._log, 0.2)
        return self

    def _accepts(self) -> bool:
        try:
            with psycopg.connect(self.dsn("postgres"), autocommit=True):
                return True
        except psycopg.OperationalError:
            return False

    def _log(self) -> str:
        with open(os.path.join(self.base, "server.log"), errors="replace") as f:
            return f.read()

    def dsn(self, database: str) -> str:
        return f"postgresql://portal@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://portal@127.0.0.1:{self.port}/{name}"

    def halt(self) -> None:
        """Stop the server (a fast shutdown: sessions are cut) and keep its data for `resume`."""
        subprocess.run(
            self.as_postgres + [f"{self.bindir}/pg_ctl", "stop", "-D", self.data, "-m", "fast",
                                "-w", "-t", "30"],
            check=True, capture_output=True,
        )  # fmt: skip
        self.process.wait(timeout=30)

    def stop(self) -> None:
        processes.stop(self.process, 20)
        shutil.rmtree(self.base, ignore_errors=True)
