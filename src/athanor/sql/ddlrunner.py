"""``create_all`` / ``drop_all``: a pure plan of DDL statements, run through the bind.

:func:`plan_create` and :func:`plan_drop` are plain functions from tables and a dialect to a
list of DDL elements, in the order the database needs: sequences and enum types, then tables in
foreign-key order, their indexes, comments, and foreign keys that close a cycle
(``use_alter=True``) last; dropping reverses it. The thin shell around them only asks the
database which tables (and types) exist when ``checkfirst`` is set, and executes each element
with ``connection.execute()`` -- the engine's public API, nothing lower.

``bind`` is an Engine (a transaction is begun and committed) or a Connection (statements run
in its current transaction; commit is the caller's, as in SQLAlchemy 2.x).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from athanor.sql.constraint import constraint_name
from athanor.sql.ddl import (
    AddConstraint,
    CreateEnumType,
    CreateIndex,
    CreateSequence,
    CreateTable,
    DDLElement,
    DropConstraint,
    DropEnumType,
    DropSequence,
    DropTable,
    SetColumnComment,
    SetTableComment,
    ddl_compiler_for,
    unwrap_type,
)
from athanor.sql.schema import sort_tables


@contextmanager
def connection_for(bind: Any) -> Iterator[Any]:
    """A Connection for ``bind``: the Connection itself, or an Engine's in a transaction."""
    if hasattr(bind, "exec_driver_sql") or not hasattr(bind, "begin"):
        yield bind  # a Connection: run in its transaction
        return
    with bind.begin() as conn:
        yield conn


def run_ddl(bind: Any, elements: list[DDLElement]) -> None:
    """Execute DDL elements on ``bind`` (Engine or Connection)."""
    with connection_for(bind) as conn:
        for element in elements:
            conn.execute(element)


def _enum_types(tables: list[Any], dialect: Any) -> list[Any]:
    """Native enum types (PostgreSQL) used by ``tables``, one per name, in first-use order."""
    if not ddl_compiler_for(dialect).creates_enum_types:
        return []
    found: dict[tuple[str | None, str], Any] = {}
    for table in tables:
        for col in table.c:
            t = unwrap_type(col.type, dialect)
            native = hasattr(t, "enums") and getattr(t, "native_enum", False) and t.name
            if native and getattr(t, "create_type", True):
                found.setdefault((t.schema, t.name), t)
    return list(found.values())


def _sequences(tables: list[Any], dialect: Any) -> list[Any]:
    if not getattr(dialect, "supports_sequences", False):
        return []
    seen: dict[str, Any] = {}
    for table in tables:
        for col in table.c:
            if col.sequence is not None:
                seen.setdefault(col.sequence.name, col.sequence)
    return list(seen.values())


def _alter_fks(tables: list[Any], dialect: Any) -> list[Any]:
    if not getattr(dialect, "supports_alter", True):
        return []
    return [fkc for t in tables for fkc in sorted(
        t.foreign_key_constraints, key=lambda c: ",".join(col.name for col in c.columns)
    ) if fkc.use_alter]


def plan_create(tables: list[Any], dialect: Any, *, existing_types: set[str] = frozenset(),  # type: ignore[assignment]
                checkfirst: bool = False) -> list[DDLElement]:
    """The DDL that creates ``tables`` (already sorted) on ``dialect``."""
    plan: list[DDLElement] = []
    plan.extend(CreateSequence(s, if_not_exists=checkfirst) for s in _sequences(tables, dialect))
    plan.extend(CreateEnumType(t) for t in _enum_types(tables, dialect)
                if t.name not in existing_types)
    comments = getattr(dialect, "supports_comments", False) and not ddl_compiler_for(
        dialect
    ).inline_comments
    for table in tables:
        plan.append(CreateTable(table))
        if comments and table.comment:
            plan.append(SetTableComment(table))
        if comments:
            plan.extend(SetColumnComment(c) for c in table.c if c.comment)
    for table in tables:
        indexes = sorted(table.indexes, key=lambda i: constraint_name(i) or "")
        plan.extend(CreateIndex(i) for i in indexes)
    plan.extend(AddConstraint(fkc) for fkc in _alter_fks(tables, dialect))
    return plan


def plan_drop(tables: list[Any], dialect: Any, *, existing_types: set[str] | None = None,
              checkfirst: bool = False, keep_types_of: list[Any] = ()) -> list[DDLElement]:  # type: ignore[assignment]
    """The DDL that drops ``tables`` (in creation order; dropped in reverse)."""
    plan: list[DDLElement] = [DropConstraint(fkc) for fkc in _alter_fks(tables, dialect)]
    plan.extend(DropTable(t) for t in reversed(tables))
    still_used = {t.name for t in _enum_types(list(keep_types_of), dialect)}
    for t in _enum_types(tables, dialect):
        if t.name in still_used:
            continue
        if existing_types is None or t.name in existing_types:
            plan.append(DropEnumType(t))
    plan.extend(DropSequence(s, if_exists=checkfirst) for s in _sequences(tables, dialect))
    return plan


def _has_table(conn: Any, dialect: Any, table: Any) -> bool:
    has_table = getattr(dialect, "has_table", None) or ddl_compiler_for(dialect).has_table
    return bool(has_table(conn, table.name, schema=table.schema))


def _existing_types(conn: Any, dialect: Any, types: list[Any]) -> set[str]:
    from_compiler = getattr(ddl_compiler_for(dialect), "has_type", None)
    has_type = getattr(dialect, "has_type", None) or from_compiler
    if has_type is None:
        return set()
    return {t.name for t in types if has_type(conn, t.name, t.schema)}


def create_all(metadata: Any, bind: Any, *, tables: Any = None, checkfirst: bool = True) -> None:
    """Create ``tables`` (default: all of ``metadata``) in dependency order."""
    chosen = sort_tables(metadata.tables.values() if tables is None else tables)
    with connection_for(bind) as conn:
        dialect = conn.dialect
        existing: set[str] = set()
        checkfirst = checkfirst and not getattr(conn, "_is_mock", False)
        if checkfirst:
            chosen = [t for t in chosen if not _has_table(conn, dialect, t)]
            existing = _existing_types(conn, dialect, _enum_types(chosen, dialect))
        for element in plan_create(chosen, dialect, existing_types=existing,
                                   checkfirst=checkfirst):
            conn.execute(element)


def drop_all(metadata: Any, bind: Any, *, tables: Any = None, checkfirst: bool = True) -> None:
    """Drop ``tables`` (default: all of ``metadata``) in reverse dependency order."""
    chosen = sort_tables(metadata.tables.values() if tables is None else tables)
    others = [t for t in metadata.tables.values() if not any(t is c for c in chosen)]
    with connection_for(bind) as conn:
        dialect = conn.dialect
        existing: set[str] | None = None
        checkfirst = checkfirst and not getattr(conn, "_is_mock", False)
        if checkfirst:
            chosen = [t for t in chosen if _has_table(conn, dialect, t)]
            existing = _existing_types(conn, dialect, _enum_types(chosen, dialect))
        for element in plan_drop(chosen, dialect, existing_types=existing,
                                 checkfirst=checkfirst, keep_types_of=others):
            conn.execute(element)
