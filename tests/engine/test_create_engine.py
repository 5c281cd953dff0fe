"""create_engine(): option validation, dialect lookup, pool choice, echo logging."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from athanor import create_engine, exc, text
from athanor.engine import engine_from_config
from athanor.pool import LockedStaticPool, NullPool, QueuePool, StaticPool


def test_unknown_option_names_it_and_suggests() -> None:
    with pytest.raises(exc.ArgumentError) as info:
        create_engine("sqlite://", pool_sise=5)
    message = str(info.value)
    assert "'pool_sise'" in message
    assert "Did you mean 'pool_size'?" in message
    assert "max_overflow" in message  # the accepted options are listed


@pytest.mark.parametrize(
    ("option", "value", "accepted"),
    [
        ("pool_size", -1, "integer >= 0"),
        ("pool_size", "5", "integer >= 0"),
        ("max_overflow", -2, "integer >= -1"),
        ("pool_timeout", "soon", "number"),
        ("echo", "loud", "'debug'"),
        ("pool_pre_ping", 1, "True"),
        ("connect_args", [1], "dict"),
    ],
)
def test_bad_option_values_name_accepted_values(option: str, value: Any, accepted: str) -> None:
    with pytest.raises(exc.ArgumentError) as info:
        create_engine("sqlite://", **{option: value})
    assert option in str(info.value)
    assert accepted in str(info.value)


def test_unknown_dialect_and_driver() -> None:
    with pytest.raises(exc.NoSuchModuleError) as info:
        create_engine("oracle://scott@host/db")
    assert "'oracle'" in str(info.value) and "postgresql+psycopg" in str(info.value)
    with pytest.raises(exc.NoSuchModuleError) as info:
        create_engine("postgresql+asyncpg://scott@host/db")
    assert "'asyncpg'" in str(info.value) and "postgresql+psycopg" in str(info.value)


def test_missing_driver_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kw: Any) -> Any:
        if name == "psycopg":
            raise ImportError("No module named 'psycopg'")
        return real_import(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(exc.NoSuchModuleError) as info:
        create_engine("postgresql://scott@host/db")
    assert "pip install 'psycopg[binary]'" in str(info.value)


def test_every_registered_name_loads() -> None:
    names = {
        "postgresql": "postgresql", "postgresql+psycopg": "postgresql",
        "mysql": "mysql", "mysql+pymysql": "mysql", "mariadb": "mysql",
        "mariadb+pymysql": "mysql", "sqlite": "sqlite", "sqlite+pysqlite": "sqlite",
    }
    for drivername, dialect_name in names.items():
        url = f"{drivername}://u@h/db" if dialect_name != "sqlite" else f"{drivername}://"
        engine = create_engine(url)
        assert engine.dialect.name == dialect_name
        engine.dispose()


def test_pool_choice(tmp_path: Any) -> None:
    assert isinstance(create_engine("sqlite://").pool, LockedStaticPool)
    assert isinstance(create_engine("sqlite:///:memory:").pool, LockedStaticPool)
    file_engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}", pool_size=3, max_overflow=1)
    assert isinstance(file_engine.pool, QueuePool)
    assert file_engine.pool.size() == 3
    assert isinstance(create_engine("sqlite://", poolclass=NullPool).pool, NullPool)
    assert isinstance(create_engine("sqlite://", poolclass=StaticPool).pool, StaticPool)


def test_queue_options_rejected_for_other_explicit_pools() -> None:
    with pytest.raises(exc.ArgumentError) as info:
        create_engine("sqlite://", poolclass=NullPool, pool_size=3)
    assert "pool_size" in str(info.value) and "NullPool" in str(info.value)


def test_bad_isolation_level_lists_levels() -> None:
    with pytest.raises(exc.ArgumentError) as info:
        create_engine("sqlite://", isolation_level="SNAPSHOT")
    assert "SNAPSHOT" in str(info.value) and "SERIALIZABLE" in str(info.value)


def test_repr_hides_password() -> None:
    engine = create_engine("postgresql://scott:tiger@localhost/db")
    assert "tiger" not in repr(engine)
    assert repr(engine) == "Engine(postgresql://scott:***@localhost/db)"


def test_engine_from_config_coerces_strings() -> None:
    engine = engine_from_config(
        {"sqlalchemy.url": "sqlite:///x.db", "sqlalchemy.pool_size": "7",
         "sqlalchemy.echo": "false", "other": "ignored"}
    )
    assert engine.pool.size() == 7  # type: ignore[attr-defined]


def test_echo_logs_statements_and_parameters(
    backend_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(backend_url, echo=True)
    try:
        with caplog.at_level(logging.INFO, logger="athanor.engine"), engine.connect() as conn:
            conn.execute(text("SELECT :value AS v"), {"value": 42}).all()
            conn.commit()
        records = [r for r in caplog.records if r.name == "athanor.engine"]
        messages = [r.getMessage() for r in records]
        assert any("SELECT" in m and "AS v" in m for m in messages)
        assert any("42" in m and m.startswith("[parameters]") for m in messages)
        assert "BEGIN (implicit)" in messages and "COMMIT" in messages
        assert all("***" in m or "password" not in m for m in messages)
    finally:
        engine.dispose()


def test_echo_debug_logs_rows(caplog: pytest.LogCaptureFixture) -> None:
    engine = create_engine("sqlite://", echo="debug")
    with caplog.at_level(logging.DEBUG, logger="athanor.engine"), engine.connect() as conn:
        conn.exec_driver_sql("SELECT 7, 'seven'").all()
    assert any(r.getMessage() == "Row (7, 'seven')" for r in caplog.records)


def test_hide_parameters(caplog: pytest.LogCaptureFixture) -> None:
    engine = create_engine("sqlite://", echo=True, hide_parameters=True)
    with caplog.at_level(logging.INFO, logger="athanor.engine"), engine.connect() as conn:
        conn.execute(text("SELECT :secret"), {"secret": "hunter2"}).all()
    assert not any("hunter2" in r.getMessage() for r in caplog.records)


def test_connect_failure_is_wrapped() -> None:
    engine = create_engine(
        "postgresql://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    with pytest.raises(exc.OperationalError) as info:
        engine.connect()
    assert info.value.orig is not None
    assert info.value.__cause__ is info.value.orig
