"""Helpers for engine tests: portable DDL written as raw SQL per backend."""

from __future__ import annotations

from typing import Any

_AUTOINC = {
    "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "postgresql": "SERIAL PRIMARY KEY",
    "mysql": "INTEGER AUTO_INCREMENT PRIMARY KEY",
}


def create_users(engine: Any, name: str = "users") -> None:
    """``<name>(id autoincrement pk, name varchar unique not null, age int)``."""
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE TABLE {name} (id {_AUTOINC[engine.dialect.name]}, "
            "name VARCHAR(50) NOT NULL UNIQUE, age INTEGER)"
        )
