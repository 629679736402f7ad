"""Shared fixtures: real SQLite, PostgreSQL and MariaDB databases.

Server URLs come from ``RETORT_TEST_POSTGRESQL_URL`` / ``RETORT_TEST_MYSQL_URL``
(set by ``.ci/run``); without them the standard local URLs are tried.  In CI
(``CI=true`` or ``RETORT_REQUIRE_SERVERS=1``) an unreachable server fails the
run; on a laptop without servers the server tests are skipped.

Each test session gets its own freshly created database on each server, and
every test using a ``*_engine`` fixture starts from an empty database.
"""

from __future__ import annotations

import os
import uuid
from typing import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

DEFAULT_URLS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "mysql": "mysql+pymysql://root@127.0.0.1:3306/test",
}
ENV_VARS = {
    "postgresql": "RETORT_TEST_POSTGRESQL_URL",
    "mysql": "RETORT_TEST_MYSQL_URL",
}
BACKENDS = ("sqlite", "postgresql", "mysql")


def servers_required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("RETORT_REQUIRE_SERVERS") == "1"


def _server_url(name: str) -> URL:
    return make_url(os.environ.get(ENV_VARS[name]) or DEFAULT_URLS[name])


class _ServerDatabase:
    """A database created for this test session on one server, dropped at the end."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.admin_url = _server_url(name)
        self.db_name = f"retort_t_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.url = self.admin_url.set(database=self.db_name)
        self.error: Exception | None = None
        self._engine: Engine | None = None
        try:
            self._admin(f"CREATE DATABASE {self.db_name}")
        except Exception as exc:  # unreachable server: reported by the fixture
            self.error = exc

    def _admin(self, sql: str) -> None:
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(sql)
        finally:
            engine.dispose()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = sa.create_engine(self.url)
        return self._engine

    def reset(self) -> None:
        """Make the database empty again: drop every table, view and extra schema."""
        self.engine.dispose()
        if self.name == "postgresql":
            with self.engine.begin() as conn:
                schemas = conn.exec_driver_sql(
                    "SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' "
                    "AND nspname <> 'information_schema'"
                ).scalars().all()
                for schema in schemas:
                    conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
                conn.exec_driver_sql("CREATE SCHEMA public")
        else:
            with self.engine.begin() as conn:
                extra = conn.exec_driver_sql(
                    "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
                    (f"{self.db_name}%",),
                ).scalars().all()
            for schema in extra:
                self._admin(f"DROP DATABASE IF EXISTS `{schema}`")
            self._admin(f"CREATE DATABASE `{self.db_name}`")

    def drop(self) -> None:
        if self.error is not None:
            return
        if self._engine is not None:
            self._engine.dispose()
        if self.name == "postgresql":
            self._admin(f"DROP DATABASE IF EXISTS {self.db_name} WITH (FORCE)")
        else:
            with sa.create_engine(self.admin_url).connect() as conn:
                extra = conn.exec_driver_sql(
                    "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
                    (f"{self.db_name}%",),
                ).scalars().all()
            for schema in extra:
                self._admin(f"DROP DATABASE IF EXISTS `{schema}`")


_servers: dict[str, _ServerDatabase] = {}


def _server(name: str) -> _ServerDatabase:
    if name not in _servers:
        _servers[name] = _ServerDatabase(name)
    server = _servers[name]
    if server.error is not None:
        message = f"{name} server unreachable at {server.admin_url!r}: {server.error}"
        if servers_required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return server


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for server in _servers.values():
        server.drop()


def _sqlite_engine(tmp_path) -> Engine:
    return sa.create_engine(f"sqlite:///{tmp_path / 'test.db'}")


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[Engine]:
    engine = _sqlite_engine(tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def postgresql_engine() -> Iterator[Engine]:
    server = _server("postgresql")
    server.reset()
    yield server.engine
    server.engine.dispose()


@pytest.fixture
def mysql_engine() -> Iterator[Engine]:
    server = _server("mysql")
    server.reset()
    yield server.engine
    server.engine.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path) -> Iterator[Engine]:
    """An empty database on each backend in turn (SQLite, PostgreSQL, MariaDB)."""
    if request.param == "sqlite":
        eng = _sqlite_engine(tmp_path)
        yield eng
        eng.dispose()
        return
    server = _server(request.param)
    server.reset()
    yield server.engine
    server.engine.dispose()


@pytest.fixture
def server_url():
    """Return a function giving the URL of this session's database on a server."""

    def url_for(name: str) -> URL:
        return _server(name).url

    return url_for
