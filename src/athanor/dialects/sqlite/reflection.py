"""SQLite reflection: ``sqlite_master`` and the ``PRAGMA`` table functions.

Every function takes a Connection (anything with ``exec_driver_sql``) and returns the plain
dicts ``athanor.engine.reflection.Inspector`` hands out. Type names are SQLite's declared
types (whatever ``CREATE TABLE`` said), mapped through :data:`TYPES`; a name not there falls
back on SQLite's affinity rules (``INT`` in it: Integer, ``CHAR``/``CLOB``/``TEXT``: Text...).
Constraint names are read back from the table's ``CREATE TABLE`` text where SQLite keeps no
other record of them.
"""

from __future__ import annotations

import re
from typing import Any

from athanor.dialects import _reflect as r
from athanor.sql import types as t

TYPES: dict[str, r.TypeFactory] = {
    "integer": t.INTEGER, "int": t.INTEGER, "bigint": t.BIGINT, "smallint": t.SMALLINT,
    "tinyint": t.SMALLINT, "mediumint": t.INTEGER,
    "varchar": r.string(t.VARCHAR), "nvarchar": r.string(t.NVARCHAR),
    "char": r.string(t.CHAR), "nchar": r.string(t.NCHAR), "character": r.string(t.CHAR),
    "text": t.TEXT, "clob": t.CLOB, "string": t.String,
    "numeric": r.numeric(t.NUMERIC), "decimal": r.numeric(t.DECIMAL),
    "float": r.plain(t.FLOAT), "real": r.plain(t.REAL), "double": r.plain(t.DOUBLE),
    "double precision": r.plain(t.DOUBLE_PRECISION),
    "boolean": t.BOOLEAN, "bool": t.BOOLEAN,
    "date": t.DATE, "datetime": r.plain(t.DATETIME), "timestamp": r.plain(t.TIMESTAMP),
    "time": r.plain(t.TIME), "blob": t.BLOB, "binary": t.BINARY, "varbinary": t.VARBINARY,
    "json": t.JSON, "uuid": t.Uuid,
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _prefix(schema: str | None) -> str:
    return f"{_q(schema)}." if schema else ""


def _names(conn: Any, kind: str, schema: str | None) -> list[str]:
    sql = (f"SELECT name FROM {_prefix(schema)}sqlite_master WHERE type = ? "
           "AND name NOT LIKE 'sqlite~_%' ESCAPE '~' ORDER BY name")
    return [row[0] for row in conn.exec_driver_sql(sql, (kind,)).fetchall()]


def get_table_names(conn: Any, schema: str | None = None) -> list[str]:
    return _names(conn, "table", schema)


def get_view_names(conn: Any, schema: str | None = None) -> list[str]:
    return _names(conn, "view", schema)


def get_view_definition(conn: Any, view_name: str, schema: str | None = None) -> str | None:
    sql = f"SELECT sql FROM {_prefix(schema)}sqlite_master WHERE type = 'view' AND name = ?"
    row = conn.exec_driver_sql(sql, (view_name,)).first()
    return row[0] if row else None


def _table_sql(conn: Any, table_name: str, schema: str | None) -> str:
    sql = f"SELECT sql FROM {_prefix(schema)}sqlite_master WHERE name = ? AND type IN " \
          "('table', 'view')"
    row = conn.exec_driver_sql(sql, (table_name,)).first()
    return (row[0] or "") if row else ""


def _pragma(conn: Any, pragma: str, name: str, schema: str | None) -> list[Any]:
    return list(conn.exec_driver_sql(f"PRAGMA {_prefix(schema)}{pragma}({_q(name)})").fetchall())


def _affinity(spec: str) -> Any:
    upper = spec.upper()
    if "INT" in upper:
        return t.INTEGER()
    if any(k in upper for k in ("CHAR", "CLOB", "TEXT")):
        return t.TEXT()
    if "BLOB" in upper or not upper:
        return t.NullType()
    if any(k in upper for k in ("REAL", "FLOA", "DOUB")):
        return t.REAL()
    return t.NUMERIC()


def _type(spec: str, where: str) -> Any:
    base = spec.split("(")[0].strip().lower()
    if not spec.strip() or (base not in TYPES and not spec.strip().endswith("[]")):
        return _affinity(spec)
    return r.parse_type(spec, TYPES, where=where)


def get_columns(conn: Any, table_name: str, schema: str | None = None) -> list[dict[str, Any]]:
    # table_xinfo also lists generated columns (hidden 2: VIRTUAL, 3: STORED)
    rows = _pragma(conn, "table_xinfo", table_name, schema)
    out = []
    for _cid, name, spec, notnull, default, pk, hidden in rows:
        if hidden == 1:  # a virtual table's hidden column
            continue
        coltype = _type(spec or "", f"column {table_name}.{name}")
        col = {"name": name, "type": coltype, "nullable": not notnull and not pk,
               "default": default, "primary_key": bool(pk), "comment": None}
        if hidden in (2, 3):
            sqltext = _generated_expression(_table_sql(conn, table_name, schema), name)
            if sqltext is not None:
                col["computed"] = {"sqltext": sqltext, "persisted": hidden == 3}
        out.append(col)
    return out


def _generated_expression(table_sql: str, column: str) -> str | None:
    """The ``AS (...)`` expression of generated column ``column`` in a CREATE TABLE text."""
    m = re.search(rf'(?:"{re.escape(column)}"|\b{re.escape(column)}\b)[^,]*?\bAS\s*\(',
                  table_sql, re.IGNORECASE)
    if m is None:
        return None
    depth, start = 1, m.end()
    for i in range(start, len(table_sql)):
        if table_sql[i] == "(":
            depth += 1
        elif table_sql[i] == ")":
            depth -= 1
            if depth == 0:
                return table_sql[start:i].strip()
    return None


def get_pk_constraint(conn: Any, table_name: str, schema: str | None = None) -> dict[str, Any]:
    rows = sorted((row for row in _pragma(conn, "table_info", table_name, schema) if row[5]),
                  key=lambda row: row[5])
    name = None
    m = re.search(r'CONSTRAINT\s+("?)(\w+)\1\s+PRIMARY\s+KEY', _table_sql(conn, table_name, schema),
                  re.IGNORECASE)
    if m:
        name = m.group(2)
    return {"constrained_columns": [row[1] for row in rows], "name": name}


def get_foreign_keys(conn: Any, table_name: str, schema: str | None = None) -> list[dict[str, Any]]:
    rows = _pragma(conn, "foreign_key_list", table_name, schema)
    out = []
    for _fid, group in sorted(r.group_ordered(rows).items(), key=lambda kv: kv[0]):
        group.sort(key=lambda row: row[1])
        referred = group[0][2]
        to_cols = [row[4] for row in group]
        if any(c is None for c in to_cols):
            to_cols = get_pk_constraint(conn, referred, schema)["constrained_columns"]
        out.append({
            "name": None,
            "constrained_columns": [row[3] for row in group],
            "referred_schema": schema,
            "referred_table": referred,
            "referred_columns": to_cols,
            "options": r.fk_options(group[0][5], group[0][6]),
        })
    out.reverse()  # PRAGMA lists them last-declared first
    return out


def _index_columns(conn: Any, index_name: str, schema: str | None) -> list[str]:
    rows = sorted(_pragma(conn, "index_info", index_name, schema), key=lambda row: row[0])
    return [row[2] for row in rows]


def get_indexes(conn: Any, table_name: str, schema: str | None = None) -> list[dict[str, Any]]:
    out = []
    for row in _pragma(conn, "index_list", table_name, schema):
        name, unique, origin = row[1], row[2], row[3]
        if origin != "c" or name.startswith("sqlite_autoindex"):
            continue
        out.append({"name": name, "column_names": _index_columns(conn, name, schema),
                    "unique": bool(unique), "dialect_options": {}})
    out.sort(key=lambda ix: ix["name"])
    return out


def get_unique_constraints(conn: Any, table_name: str,
                           schema: str | None = None) -> list[dict[str, Any]]:
    ddl = _table_sql(conn, table_name, schema)
    named: dict[tuple[str, ...], str] = {}
    for m in re.finditer(r'CONSTRAINT\s+("?)(\w+)\1\s+UNIQUE\s*\(([^)]*)\)', ddl, re.IGNORECASE):
        cols = tuple(c.strip().strip('"`[]') for c in m.group(3).split(","))
        named[cols] = m.group(2)
    out = []
    for row in _pragma(conn, "index_list", table_name, schema):
        if row[3] != "u":
            continue
        found = _index_columns(conn, row[1], schema)
        out.append({"name": named.get(tuple(found)), "column_names": found})
    out.reverse()
    return out


def get_check_constraints(conn: Any, table_name: str,
                          schema: str | None = None) -> list[dict[str, Any]]:
    ddl = _table_sql(conn, table_name, schema)
    out = []
    for m in re.finditer(r'CONSTRAINT\s+("?)(\w+)\1\s+CHECK\s*\((.*?)\)(?=\s*[,)]\s*'
                         r'(?:CONSTRAINT|PRIMARY|UNIQUE|FOREIGN|CHECK|$|\)))', ddl,
                         re.IGNORECASE | re.S):
        out.append({"name": m.group(2), "sqltext": m.group(3).strip()})
    return out


def get_table_comment(conn: Any, table_name: str, schema: str | None = None) -> dict[str, Any]:
    return {"text": None}


def get_schema_names(conn: Any) -> list[str]:
    return [row[1] for row in conn.exec_driver_sql("PRAGMA database_list").fetchall()]


def default_schema_name(conn: Any) -> str:
    return "main"
