"""PostgreSQL reflection: ``pg_catalog`` queries.

One query per question, each joined through ``pg_namespace`` so ``schema=None`` means
``current_schema()``. Column types come from ``format_type()`` (``character varying(50)``,
``timestamp with time zone``, ``integer[]``), mapped through :data:`TYPES`; a user-defined
enum type becomes ``Enum(*labels, name=typname)`` from ``pg_enum``. Foreign keys, primary
keys and unique constraints are read from ``pg_constraint`` with their column lists unnested
in key order.
"""

from __future__ import annotations

from typing import Any

from athanor.dialects import _reflect as r
from athanor.dialects.postgresql import types as pgt
from athanor.sql import types as t

TYPES: dict[str, r.TypeFactory] = {
    "integer": t.INTEGER, "int": t.INTEGER, "int4": t.INTEGER, "bigint": t.BIGINT,
    "int8": t.BIGINT, "smallint": t.SMALLINT, "int2": t.SMALLINT,
    "character varying": r.string(t.VARCHAR), "varchar": r.string(t.VARCHAR),
    "character": r.string(t.CHAR), "char": r.string(t.CHAR), "bpchar": r.string(t.CHAR),
    "text": t.TEXT, "name": t.String,
    "numeric": r.numeric(t.NUMERIC), "decimal": r.numeric(t.NUMERIC),
    "double precision": r.plain(t.DOUBLE_PRECISION), "real": r.plain(t.REAL),
    "float8": r.plain(t.DOUBLE_PRECISION), "float4": r.plain(t.REAL),
    "boolean": t.BOOLEAN, "bool": t.BOOLEAN, "date": t.DATE,
    "timestamp without time zone": r.plain(t.TIMESTAMP),
    "timestamp with time zone": r.plain(t.TIMESTAMP), "timestamp": r.plain(t.TIMESTAMP),
    "time without time zone": r.plain(t.TIME), "time with time zone": r.plain(t.TIME),
    "time": r.plain(t.TIME), "interval": r.plain(t.Interval),
    "bytea": pgt.BYTEA, "json": t.JSON, "jsonb": pgt.JSONB, "uuid": t.UUID,
    "inet": pgt.INET, "cidr": pgt.CIDR, "macaddr": pgt.MACADDR, "money": pgt.MONEY,
    "oid": t.INTEGER, "tsvector": pgt.TSVECTOR, "citext": t.TEXT, "xml": t.TEXT,
}

_SCHEMA = "coalesce(%s, current_schema())"


def _names(conn: Any, kinds: str, schema: str | None) -> list[str]:
    sql = ("SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON "
           f"n.oid = c.relnamespace WHERE c.relkind IN ({kinds}) AND n.nspname = {_SCHEMA} "
           "ORDER BY c.relname")
    return [row[0] for row in conn.exec_driver_sql(sql, (schema,)).fetchall()]


def get_table_names(conn: Any, schema: str | None = None) -> list[str]:
    return _names(conn, "'r', 'p'", schema)


def get_view_names(conn: Any, schema: str | None = None) -> list[str]:
    return _names(conn, "'v', 'm'", schema)


def get_view_definition(conn: Any, view_name: str, schema: str | None = None) -> str | None:
    sql = ("SELECT pg_get_viewdef(c.oid) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace"
           f" n ON n.oid = c.relnamespace WHERE c.relname = %s AND n.nspname = {_SCHEMA}")
    row = conn.exec_driver_sql(sql, (view_name, schema)).first()
    return row[0] if row else None


def _enums(conn: Any) -> dict[str, list[str]]:
    sql = ("SELECT t.typname, e.enumlabel FROM pg_catalog.pg_type t JOIN pg_catalog.pg_enum e "
           "ON e.enumtypid = t.oid ORDER BY t.typname, e.enumsortorder")
    out: dict[str, list[str]] = {}
    for name, label in conn.exec_driver_sql(sql).fetchall():
        out.setdefault(name, []).append(label)
    return out


def get_columns(conn: Any, table_name: str, schema: str | None = None) -> list[dict[str, Any]]:
    sql = ("SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
           "pg_get_expr(d.adbin, d.adrelid), a.attidentity, "
           "col_description(c.oid, a.attnum), t.typtype, t.typname, a.attgenerated "
           "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
           "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
           "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
           "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
           f"WHERE c.relname = %s AND n.nspname = {_SCHEMA} AND a.attnum > 0 "
           "AND NOT a.attisdropped ORDER BY a.attnum")
    rows = conn.exec_driver_sql(sql, (table_name, schema)).fetchall()
    enums = _enums(conn) if any(row[6] == "e" for row in rows) else {}
    out = []
    for name, spec, notnull, default, identity, comment, typtype, typname, generated in rows:
        if typtype == "e":
            coltype: Any = t.Enum(*enums.get(typname, []), name=typname)
        else:
            coltype = r.parse_type(spec, TYPES, where=f"column {table_name}.{name}")
        auto = bool(identity) or (default or "").startswith("nextval(")
        col: dict[str, Any] = {"name": name, "type": coltype, "nullable": not notnull,
                               "default": default, "autoincrement": auto, "comment": comment}
        if identity:
            col["identity"] = {"always": identity == "a"}
        if generated:  # 's': GENERATED ALWAYS AS (...) STORED; 'v' (18+): VIRTUAL
            col["computed"] = {"sqltext": default, "persisted": generated == "s"}
            col["default"] = None
        out.append(col)
    return out


def _constraints(conn: Any, table_name: str, schema: str | None, kind: str) -> list[Any]:
    sql = ("SELECT con.conname, a.attname, k.ord FROM pg_catalog.pg_constraint con "
           "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
           "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
           "CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) "
           "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
           f"WHERE con.contype = %s AND c.relname = %s AND n.nspname = {_SCHEMA} "
           "ORDER BY con.conname, k.ord")
    return list(conn.exec_driver_sql(sql, (kind, table_name, schema)).fetchall())


def get_pk_constraint(conn: Any, table_name: str, schema: str | None = None) -> dict[str, Any]:
    rows = _constraints(conn, table_name, schema, "p")
    return {"constrained_columns": [row[1] for row in rows],
            "name": rows[0][0] if rows else None}


def get_unique_constraints(conn: Any, table_name: str,
                           schema: str | None = None) -> list[dict[str, Any]]:
    groups = r.group_ordered(_constraints(conn, table_name, schema, "u"))
    return [{"name": name, "column_names": [row[1] for row in rows]}
            for name, rows in groups.items()]


def get_foreign_keys(conn: Any, table_name: str, schema: str | None = None) -> list[dict[str, Any]]:
    sql = ("SELECT con.conname, a.attname, rc.relname, rn.nspname, ra.attname, "
           "con.confupdtype, con.confdeltype, k.ord, current_schema() "
           "FROM pg_catalog.pg_constraint con "
           "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
           "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
           "CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS "
           "k(src, dst, ord) "
           "JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.src "
           "JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid "
           "JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace "
           "JOIN pg_catalog.pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.dst "
           f"WHERE con.contype = 'f' AND c.relname = %s AND n.nspname = {_SCHEMA} "
           "ORDER BY con.conname, k.ord")
    rows = conn.exec_driver_sql(sql, (table_name, schema)).fetchall()
    out = []
    for name, group in r.group_ordered(rows).items():
        first = group[0]
        out.append({
            "name": name,
            "constrained_columns": [row[1] for row in group],
            "referred_schema": None if first[3] == first[8] and schema is None else first[3],
            "referred_table": first[2],
            "referred_columns": [row[4] for row in group],
            "options": r.fk_options(first[5], first[6]),
        })
    return out


def get_indexes(conn: Any, table_name: str, schema: str | None = None) -> list[dict[str, Any]]:
    sql = ("SELECT ic.relname, ix.indisunique, a.attname, k.ord, "
           "(SELECT con.conname FROM pg_catalog.pg_constraint con WHERE con.conindid = "
           "ix.indexrelid AND con.contype = 'u' LIMIT 1) "
           "FROM pg_catalog.pg_index ix JOIN pg_catalog.pg_class c ON c.oid = ix.indrelid "
           "JOIN pg_catalog.pg_class ic ON ic.oid = ix.indexrelid "
           "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
           "CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) "
           "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
           f"WHERE c.relname = %s AND n.nspname = {_SCHEMA} AND NOT ix.indisprimary "
           "ORDER BY ic.relname, k.ord")
    rows = conn.exec_driver_sql(sql, (table_name, schema)).fetchall()
    out = []
    for name, group in r.group_ordered(rows).items():
        index: dict[str, Any] = {"name": name, "column_names": [row[2] for row in group],
                                 "unique": bool(group[0][1]), "dialect_options": {}}
        if group[0][4]:
            index["duplicates_constraint"] = group[0][4]
        out.append(index)
    return out


def get_check_constraints(conn: Any, table_name: str,
                          schema: str | None = None) -> list[dict[str, Any]]:
    sql = ("SELECT con.conname, pg_get_constraintdef(con.oid) FROM pg_catalog.pg_constraint con "
           "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
           "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
           f"WHERE con.contype = 'c' AND c.relname = %s AND n.nspname = {_SCHEMA} "
           "ORDER BY con.conname")
    out = []
    for name, text in conn.exec_driver_sql(sql, (table_name, schema)).fetchall():
        body = text[text.index("(") + 1:text.rindex(")")] if "(" in text else text
        out.append({"name": name, "sqltext": body})
    return out


def get_table_comment(conn: Any, table_name: str, schema: str | None = None) -> dict[str, Any]:
    sql = ("SELECT obj_description(c.oid, 'pg_class') FROM pg_catalog.pg_class c JOIN "
           "pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
           f"WHERE c.relname = %s AND n.nspname = {_SCHEMA}")
    row = conn.exec_driver_sql(sql, (table_name, schema)).first()
    return {"text": row[0] if row else None}


def get_schema_names(conn: Any) -> list[str]:
    sql = ("SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname NOT LIKE 'pg~_%' "
           "ESCAPE '~' AND nspname <> 'information_schema' ORDER BY nspname")
    return [row[0] for row in conn.exec_driver_sql(sql).fetchall()]


def default_schema_name(conn: Any) -> str:
    return conn.exec_driver_sql("SELECT current_schema()").scalar()  # type: ignore[no-any-return]
