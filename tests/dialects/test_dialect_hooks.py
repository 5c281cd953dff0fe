"""Dialect driver hooks: connect arguments, first-connect facts, SQLite setup."""

from __future__ import annotations

from typing import Any

import pytest

from athanor import create_engine, exc, text
from athanor.dialects.mysql.base import MySQLDialect
from athanor.dialects.postgresql.base import PostgreSQLDialect
from athanor.dialects.registry import DIALECTS, load_dialect
from athanor.dialects.sqlite.base import SQLiteDialect
from athanor.url import make_url


def test_dialects_build_without_a_driver() -> None:
    for cls in (SQLiteDialect, PostgreSQLDialect, MySQLDialect):
        assert cls().dbapi is None


def test_registry_is_lazy_table_of_names() -> None:
    assert set(DIALECTS) >= {
        "postgresql", "postgresql+psycopg", "mysql", "mariadb", "mysql+pymysql",
        "mariadb+pymysql", "sqlite", "sqlite+pysqlite",
    }
    assert load_dialect("mariadb+pymysql") is MySQLDialect
    # other drivers' names are served by the supported driver of that database
    assert load_dialect("mysql+mysqldb") is MySQLDialect
    assert load_dialect("postgresql+psycopg2") is PostgreSQLDialect
    with pytest.raises(exc.NoSuchModuleError, match="Use one of"):
        load_dialect("mysql+nosuchdriver")


def test_postgresql_connect_args() -> None:
    args, kw = PostgreSQLDialect().create_connect_args(
        make_url("postgresql://u:p%40w@h:5433/db?application_name=app")
    )
    assert args == []
    assert kw == {
        "host": "h", "port": 5433, "user": "u", "password": "p@w", "dbname": "db",
        "application_name": "app", "autocommit": False,
    }
    for query, threshold in (("none", None), ("0", 0), ("10", 10)):
        _, kw = PostgreSQLDialect().create_connect_args(
            make_url(f"postgresql://h/db?prepare_threshold={query}"))
        assert kw["prepare_threshold"] == threshold
    with pytest.raises(exc.ArgumentError, match="prepare_threshold"):
        PostgreSQLDialect().create_connect_args(make_url("postgresql://h/db?prepare_threshold=x"))


def test_mysql_connect_args_have_found_rows_and_utf8mb4() -> None:
    from pymysql.constants import CLIENT

    _, kw = MySQLDialect().create_connect_args(make_url("mysql://root@h/db"))
    assert kw["charset"] == "utf8mb4" and kw["autocommit"] is False
    assert kw["client_flag"] & CLIENT.FOUND_ROWS


def test_sqlite_file_database_setup(tmp_path: Any) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'f.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    engine.dispose()


def _open_together(engine: Any, threads: int) -> list[BaseException]:
    import threading

    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        except BaseException as err:  # collected and reported below
            errors.append(err)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return errors


def test_sqlite_fresh_file_opened_by_many_threads_at_once(tmp_path: Any) -> None:
    """The first connections to a new file all want to switch it to WAL at the same moment."""
    for attempt in range(5):
        engine = create_engine(f"sqlite:///{tmp_path / f'fresh{attempt}.db'}", pool_size=16)
        errors = _open_together(engine, 16)
        engine.dispose()
        assert errors == []


def test_sqlite_url_options(tmp_path: Any) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'g.db'}?timeout=2&foreign_keys=false")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
    engine.dispose()
    with pytest.raises(exc.ArgumentError, match="bogus"):
        create_engine(f"sqlite:///{tmp_path / 'h.db'}?bogus=1").connect()


def test_sqlite_threads_do_not_hit_database_is_locked(tmp_path: Any) -> None:
    import threading

    engine = create_engine(f"sqlite:///{tmp_path / 'busy.db'}", pool_size=8)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE c (n INTEGER)"))
        conn.execute(text("INSERT INTO c VALUES (0)"))
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(10):
                with engine.begin() as conn:
                    n = conn.execute(text("SELECT n FROM c")).scalar()
                    conn.execute(text("UPDATE c SET n = :n"), {"n": n + 1})
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    engine.dispose()


def test_server_facts_after_first_connect(engine: Any) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    dialect = engine.dialect
    assert dialect.server_version_info
    assert dialect.default_isolation_level in dialect.isolation_levels
    if isinstance(dialect, MySQLDialect):
        assert dialect.is_mariadb == dialect.server_insert_returning  # MariaDB 10.5+ here


def test_other_drivers_url_names_connect_through_the_supported_driver(
        backend: str, backend_url: str) -> None:
    from athanor import create_engine, text

    other = {"postgresql": "postgresql+psycopg2", "mysql": "mysql+mysqldb"}.get(backend)
    if other is None:
        pytest.skip("SQLite has one driver")
    engine = create_engine(backend_url.replace(backend, other, 1))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_dialect_modules_export_sqlalchemys_type_names(backend: str, engine: Any) -> None:
    from athanor import Column, Integer, MetaData, Table, inspect, select
    from athanor.dialects import mysql, postgresql, sqlite

    assert sqlite.JSON and sqlite.DATETIME and sqlite.BLOB and postgresql.JSONB
    assert mysql.NVARCHAR and mysql.NCHAR
    if backend != "mysql":
        pytest.skip("YEAR is MySQL's type")
    md = MetaData()
    t = Table("years", md, Column("id", Integer, primary_key=True), Column("yr", mysql.YEAR),
              Column("label", mysql.NVARCHAR(10)))
    md.create_all(engine)
    try:
        with engine.begin() as conn:
            conn.execute(t.insert().values(id=1, yr=2024, label="x"))
            assert conn.execute(select(t.c.yr, t.c.label)).one() == (2024, "x")
        assert isinstance(inspect(engine).get_columns("years")[1]["type"], mysql.YEAR)
    finally:
        md.drop_all(engine)
