"""A throwaway PostgreSQL server on loopback, for the tests, CI and the benchmarks.

    python -m tests.pg_server start [--dir DIR] [--fsync]   # prints: export SURVEYDESK_TEST_PG=postgresql://...
    python -m tests.pg_server stop [--dir DIR]              # stops it and deletes DIR

``eval "$(python -m tests.pg_server start)"`` in a shell makes the PostgreSQL tests run (without
SURVEYDESK_TEST_PG they are skipped locally, and fail in CI). The server listens on 127.0.0.1 on a
free port, keeps its data and socket in DIR (default: surveydesk-pg in the temp folder) and trusts
local connections, except for the role ``sd_password`` (password ``sd-secret-pw``) which must give
its password: the tests use it to check that a password never leaks. ``initdb`` refuses to run as
root, so as root the server runs as the ``postgres`` user (``runuser``). fsync is off unless
``--fsync`` (the benchmark measures with it on, as a real server would run).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENV = "SURVEYDESK_TEST_PG"
DEFAULT_DIR = Path(tempfile.gettempdir()) / "surveydesk-pg"
PASSWORD_ROLE, PASSWORD = "sd_password", "sd-secret-pw"

HBA = f"""\
local all all trust
host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
"""


class ServerError(Exception):
    pass


def bin_dir() -> Path:
    """Where initdb and pg_ctl are: the newest /usr/lib/postgresql/N/bin, else the PATH."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if versions:
        return versions[-1].parent
    found = shutil.which("pg_ctl")
    if found is None:
        raise ServerError("no PostgreSQL server binaries (pg_ctl, initdb): install postgresql (e.g. apt-get "
                          "install postgresql)")
    return Path(found).parent


def _as_owner(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user."""
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            raise ServerError("running as root needs runuser to start PostgreSQL as the postgres user")
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _run(command: list[str]) -> None:
    result = subprocess.run(_as_owner(command), capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise ServerError(f"{' '.join(command[:2])} failed: {(result.stderr or result.stdout).strip()[-800:]}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def url_of(folder: Path) -> str | None:
    path = folder / "url"
    return path.read_text().strip() if path.exists() else None


def start(folder: Path = DEFAULT_DIR, *, fsync: bool = False) -> str:
    """Start a server in ``folder`` (or reuse the one running there); return its URL."""
    if (url := url_of(folder)) is not None and _is_up(folder):
        return url
    if folder.exists():
        stop(folder)
    binaries = bin_dir()
    folder.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        closed = [p for p in folder.resolve().parents if not os.stat(p).st_mode & 0o001]
        if closed:
            raise ServerError(f"the postgres user cannot reach {folder} ({closed[0]} is closed to others): "
                              "choose a folder under /tmp")
    data = folder / "data"
    _run([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync",
          "-E", "UTF8", "--locale", "C"])
    (data / "pg_hba.conf").write_text(HBA)
    port = _free_port()
    options = (f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c max_connections=200 "
               f"-c fsync={'on' if fsync else 'off'} -c password_encryption=scram-sha-256")
    if not fsync:
        options += " -c synchronous_commit=off -c full_page_writes=off"
    _run([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-o", options, "-w",
          "-t", "60", "start"])
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    _run([str(binaries / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres", "-q",
          "-v", "ON_ERROR_STOP=1", "-c", f"CREATE ROLE {PASSWORD_ROLE} LOGIN CREATEDB PASSWORD '{PASSWORD}'"])
    (folder / "url").write_text(url + "\n")
    return url


def _is_up(folder: Path) -> bool:
    result = subprocess.run(_as_owner([str(bin_dir() / "pg_ctl"), "-D", str(folder / "data"), "status"]),
                            capture_output=True)
    return result.returncode == 0


def stop(folder: Path = DEFAULT_DIR) -> None:
    if (folder / "data" / "postmaster.pid").exists():
        subprocess.run(_as_owner([str(bin_dir() / "pg_ctl"), "-D", str(folder / "data"), "-m", "fast", "-w",
                                  "stop"]), capture_output=True, timeout=120)
    shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.pg_server", description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=("start", "stop", "url"))
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"its folder (default {DEFAULT_DIR})")
    parser.add_argument("--fsync", action="store_true", help="sync to disk as a real server does (slower)")
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            started = time.monotonic()
            url = start(args.dir, fsync=args.fsync)
            print(f"export {ENV}={url}")
            print(f"# PostgreSQL in {args.dir}, up in {time.monotonic() - started:.1f}s; "
                  f"stop it with: python -m tests.pg_server stop --dir {args.dir}", file=sys.stderr)
        elif args.action == "stop":
            stop(args.dir)
        else:
            url = url_of(args.dir)
            if url is None:
                print(f"no server in {args.dir}", file=sys.stderr)
                return 1
            print(url)
    except ServerError as exc:
        print(f"pg_server: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
