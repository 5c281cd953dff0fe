"""MySQL / MariaDB reflection: ``information_schema`` queries.

``schema=None`` means ``DATABASE()``. Column types are ``COLUMNS.COLUMN_TYPE`` strings
(``int(11)``, ``varchar(50)``, ``decimal(10,2) unsigned``, ``enum('a','b')``) mapped through
:data:`TYPES`. MariaDB stores JSON columns as LONGTEXT with a ``json_valid`` check and
reports defaults as SQL text (``'abc'``, ``NULL``); a ``NULL`` default reads as None.
Unique constraints are unique indexes here: :func:`get_unique_constraints` marks each with
``duplicates_index`` and a reflected Table gets them as unique ``Index`` objects, as with
SQLAlchemy.
"""

from __future__ import annotations

from typing import Any

from athanor.dialects import _reflect as r
from athanor.dialects.mysql import types as myt
from athanor.sql import types as t

TYPES: dict[str, r.TypeFactory] = {
    "int": r.plain(t.INTEGER), "integer": r.plain(t.INTEGER), "bigint": r.plain(t.BIGINT),
    "smallint": r.plain(t.SMALLINT), "tinyint": myt.TINYINT, "mediumint": myt.MEDIUMINT,
    "varchar": r.string(t.VARCHAR), "char": r.string(t.CHAR), "text": r.plain(t.TEXT),
    "tinytext": r.plain(myt.TINYTEXT), "mediumtext": r.plain(myt.MEDIUMTEXT),
    "longtext": r.plain(myt.LONGTEXT),
    "decimal": r.numeric(t.DECIMAL), "numeric": r.numeric(t.NUMERIC),
    "float": r.plain(t.FLOAT), "double": r.plain(t.DOUBLE), "real": r.plain(t.REAL),
    "date": t.DATE, "datetime": r.plain(t.DATETIME), "timestamp": r.plain(t.TIMESTAMP),
    "time": r.plain(t.TIME), "year": r.plain(myt.YEAR),
    "blob": r.plain(t.BLOB), "tinyblob": r.plain(myt.TINYBLOB),
    "mediumblob": r.plain(myt.MEDIUMBLOB), "longblob": r.plain(myt.LONGBLOB),
    "binary": r.plain(t.BINARY), "varbinary": r.plain(t.VARBINARY),
    "json": t.JSON, "enum": r.enum, "bit": r.plain(t.INTEGER), "bool": t.BOOLEAN,
    "boolean": t.BOOLEAN, "uuid": t.Uuid,
}

_SCHEMA = "coalesce(%s, DATABASE())"


def _names(conn: Any, kind: str, schema: str | None) -> list[str]:
    sql = ("SELECT table_name FROM information_schema.tables WHERE table_schema = "
           f"{_SCHEMA} AND table_type = %s ORDER BY table_name")
    return [row[0] for row in conn.exec_driver_sql(sql, (schema, kind)).fetchall()]


def get_table_names(conn: Any, schema: str | None = None) -> list[str]:
    return _names(conn, "BASE TABLE", schema)


def get_view_names(conn: Any, schema: str | None = None) -> list[str]:
    return _names(conn, "VIEW", schema)


def get_view_definition(conn: Any, view_name: str, schema: str | None = None) -> str | None:
    sql = ("SELECT view_definition FROM information_schema.views WHERE table_name = %s AND "
           f"table_schema = {_SCHEMA}")
    row = conn.exec_driver_sql(sql, (view_name, schema)).first()
    return row[0] if row else None


def _default(raw: Any) -> Any:
    if raw is None or raw == "NULL":
        return None
    return raw


def get_columns(conn: Any, table_name: str, schema: str | None = None) -> list[dict[str, Any]]:
    sql = ("SELECT column_name, column_type, is_nullable, column_default, extra, "
           "column_comment, generation_expression FROM information_schema.columns WHERE "
           f"table_name = %s AND table_schema = {_SCHEMA} ORDER BY ordinal_position")
    out = []
    for name, spec, nullable, default, extra, comment, generated in conn.exec_driver_sql(
            sql, (table_name, schema)).fetchall():
        if isinstance(spec, bytes):
            spec = spec.decode()
        col: dict[str, Any] = {
            "name": name,
            "type": r.parse_type(spec, TYPES, where=f"column {table_name}.{name}"),
            "nullable": nullable == "YES",
            "default": _default(default),
            "autoincrement": "auto_increment" in (extra or "").lower(),
            "comment": comment or None,
        }
        if generated:  # extra: 'STORED GENERATED' / 'VIRTUAL GENERATED'
            col["computed"] = {"sqltext": generated,
                               "persisted": "stored" in (extra or "").lower()}
            col["default"] = None
        out.append(col)
    return out


def _keys(conn: Any, table_name: str, schema: str | None, kind: str) -> list[Any]:
    sql = ("SELECT k.constraint_name, k.column_name FROM information_schema.table_constraints c "
           "JOIN information_schema.key_column_usage k ON k.constraint_schema = "
           "c.constraint_schema AND k.constraint_name = c.constraint_name AND k.table_name = "
           "c.table_name WHERE c.constraint_type = %s AND c.table_name = %s AND "
           f"c.table_schema = {_SCHEMA} ORDER BY k.constraint_name, k.ordinal_position")
    return list(conn.exec_driver_sql(sql, (kind, table_name, schema)).fetchall())


def get_pk_constraint(conn: Any, table_name: str, schema: str | None = None) -> dict[str, Any]:
    rows = _keys(conn, table_name, schema, "PRIMARY KEY")
    return {"constrained_columns": [row[1] for row in rows], "name": None}


def get_unique_constraints(conn: Any, table_name: str,
                           schema: str | None = None) -> list[dict[str, Any]]:
    groups = r.group_ordered(_keys(conn, table_name, schema, "UNIQUE"))
    return [{"name": name, "column_names": [row[1] for row in rows], "duplicates_index": name}
            for name, rows in groups.items()]


def get_foreign_keys(conn: Any, table_name: str, schema: str | None = None) -> list[dict[str, Any]]:
    sql = ("SELECT k.constraint_name, k.column_name, k.referenced_table_schema, "
           "k.referenced_table_name, k.referenced_column_name, rc.update_rule, rc.delete_rule, "
           "DATABASE() FROM information_schema.key_column_usage k "
           "JOIN information_schema.referential_constraints rc ON rc.constraint_schema = "
           "k.constraint_schema AND rc.constraint_name = k.constraint_name AND rc.table_name = "
           f"k.table_name WHERE k.table_name = %s AND k.table_schema = {_SCHEMA} "
           "AND k.referenced_table_name IS NOT NULL "
           "ORDER BY k.constraint_name, k.ordinal_position")
    rows = conn.exec_driver_sql(sql, (table_name, schema)).fetchall()
    out = []
    for name, group in r.group_ordered(rows).items():
        first = group[0]
        out.append({
            "name": name,
            "constrained_columns": [row[1] for row in group],
            "referred_schema": None if first[2] == first[7] and schema is None else first[2],
            "referred_table": first[3],
            "referred_columns": [row[4] for row in group],
            # RESTRICT is what MySQL reports when no action was given (same as NO ACTION)
            "options": r.fk_options(*(None if a == "RESTRICT" else a for a in first[5:7])),
        })
    return out


def get_indexes(conn: Any, table_name: str, schema: str | None = None) -> list[dict[str, Any]]:
    sql = ("SELECT index_name, non_unique, column_name FROM information_schema.statistics "
           f"WHERE table_name = %s AND table_schema = {_SCHEMA} AND index_name <> 'PRIMARY' "
           "ORDER BY index_name, seq_in_index")
    rows = conn.exec_driver_sql(sql, (table_name, schema)).fetchall()
    return [{"name": name, "column_names": [row[2] for row in group],
             "unique": not int(group[0][1]), "dialect_options": {}}
            for name, group in r.group_ordered(rows).items()]


def get_check_constraints(conn: Any, table_name: str,
                          schema: str | None = None) -> list[dict[str, Any]]:
    sql = ("SELECT constraint_name, check_clause FROM information_schema.check_constraints "
           f"WHERE table_name = %s AND constraint_schema = {_SCHEMA} ORDER BY constraint_name")
    try:
        rows = conn.exec_driver_sql(sql, (table_name, schema)).fetchall()
    except Exception:  # noqa: BLE001 - servers before MySQL 8.0.16 have no such view
        return []
    return [{"name": name, "sqltext": text} for name, text in rows]


def get_table_comment(conn: Any, table_name: str, schema: str | None = None) -> dict[str, Any]:
    sql = ("SELECT table_comment FROM information_schema.tables WHERE table_name = %s AND "
           f"table_schema = {_SCHEMA}")
    row = conn.exec_driver_sql(sql, (table_name, schema)).first()
    return {"text": (row[0] or None) if row else None}


def get_schema_names(conn: Any) -> list[str]:
    sql = "SELECT schema_name FROM information_schema.schemata ORDER BY schema_name"
    return [row[0] for row in conn.exec_driver_sql(sql).fetchall()]


def default_schema_name(conn: Any) -> str:
    return conn.exec_driver_sql("SELECT DATABASE()").scalar()  # type: ignore[no-any-return]
