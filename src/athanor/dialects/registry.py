"""URL names to dialect classes: a static table, imported lazily.

``postgresql://`` and ``postgresql+psycopg://`` load the same class; so do ``mysql``,
``mariadb`` and their ``+pymysql`` forms, and ``sqlite`` / ``sqlite+pysqlite``. The table
holds module paths, not classes, so importing this module imports no dialect and no driver.

URLs naming another driver of the same database (``postgresql+psycopg2``, ``+pg8000``,
``mysql+mysqldb``, ``+mysqlconnector``, ``mariadb+mariadbconnector``) are served by the
driver athanor supports for it, so configuration written for SQLAlchemy runs unchanged; the
SQL and the results are the same, only ``exc.orig`` is the supported driver's exception.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from athanor import exc

if TYPE_CHECKING:
    from athanor.dialects.base import Dialect

_SQLITE = ("athanor.dialects.sqlite.base", "SQLiteDialect")
_POSTGRESQL = ("athanor.dialects.postgresql.base", "PostgreSQLDialect")
_MYSQL = ("athanor.dialects.mysql.base", "MySQLDialect")

#: ``drivername`` of a URL -> (module, class name).
DIALECTS: dict[str, tuple[str, str]] = {
    "sqlite": _SQLITE,
    "sqlite+pysqlite": _SQLITE,
    "postgresql": _POSTGRESQL,
    "postgresql+psycopg": _POSTGRESQL,
    "mysql": _MYSQL,
    "mysql+pymysql": _MYSQL,
    "mariadb": _MYSQL,
    "mariadb+pymysql": _MYSQL,
}
#: Other drivers' URL names, served by the supported driver (see the module docstring).
STAND_INS = {
    "postgresql+psycopg2": _POSTGRESQL,
    "postgresql+psycopg2cffi": _POSTGRESQL,
    "postgresql+pg8000": _POSTGRESQL,
    "mysql+mysqldb": _MYSQL,
    "mysql+mysqlconnector": _MYSQL,
    "mysql+mariadbconnector": _MYSQL,
    "mariadb+mysqldb": _MYSQL,
    "mariadb+mysqlconnector": _MYSQL,
    "mariadb+mariadbconnector": _MYSQL,
}


def load_dialect(drivername: str) -> type[Dialect]:
    """The dialect class for a URL's ``dialect[+driver]`` name."""
    entry = DIALECTS.get(drivername) or STAND_INS.get(drivername)
    if entry is None:
        raise exc.NoSuchModuleError(_unknown_message(drivername))
    module_name, class_name = entry
    cls: type[Dialect] = getattr(importlib.import_module(module_name), class_name)
    return cls


def _unknown_message(drivername: str) -> str:
    backend, _, driver = drivername.partition("+")
    known_backends = sorted({name.partition("+")[0] for name in DIALECTS})
    if backend in known_backends:
        drivers = sorted(n for n in DIALECTS if n.partition("+")[0] == backend)
        return (
            f"Loading the dialect {drivername!r} failed: athanor has no driver {driver!r} for "
            f"{backend}. Use one of: {', '.join(drivers)}."
        )
    return (
        f"Loading the dialect {drivername!r} failed: athanor does not know the database "
        f"{backend!r}. Known URL names: {', '.join(sorted(DIALECTS))}."
    )


__all__ = ["DIALECTS", "STAND_INS", "load_dialect"]
