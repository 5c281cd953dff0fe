"""The baseline: each workload on the bare DB-API driver (sqlite3 or psycopg).

The SQL is what an ORM sends for the workload; rows stay plain tuples; one cursor is reused;
writes go through ``executemany`` where a hand-written program would batch them. Inserts do
not fetch generated keys (a hand-written bulk load does not need them), so the ORM's cost of
filling them back into objects is part of what the ratios show.

Two baselines are not SQL at all: the identity-map case (f) compares ``Session.get`` on an
already loaded object with a lookup in a dict of tuples keyed by primary key, which is what a
program without an ORM keeps to avoid asking the database twice.
"""

from __future__ import annotations

from benchmarks.backends import ITEM_COLUMNS, groups_for, item_rows, name_of, pks
from benchmarks.env import Env

SELECT_ITEM = "SELECT id, name, value, grp, note FROM item"
INSERT_ITEM = f"INSERT INTO item ({ITEM_COLUMNS}) VALUES (?, ?, ?, ?)"


def insert_many(env: Env) -> None:
    """(a, b, b2) ``n`` rows in one executemany, one commit."""
    rows = item_rows(env.n)
    cur = env.conn.cursor()
    sql = env.sql(INSERT_ITEM)
    with env.timed():
        cur.executemany(sql, rows)
        env.conn.commit()
    env.check(env.count("item") == env.n, f"{env.n} rows in item")


def insert_commit_each(env: Env) -> None:
    """(c) ``n`` single-row inserts, each committed."""
    rows = item_rows(env.n)
    conn = env.conn
    cur = conn.cursor()
    sql = env.sql(INSERT_ITEM)
    with env.timed():
        for row in rows:
            cur.execute(sql, row)
            conn.commit()
    env.check(env.count("item") == env.n, f"{env.n} rows in item")


def load_all(env: Env) -> None:
    """(d) every row of the table as tuples."""
    cur = env.conn.cursor()
    sql = env.sql(SELECT_ITEM)
    with env.timed():
        cur.execute(sql)
        result = cur.fetchall()
    env.check(len(result) == env.rows, f"{env.rows} rows loaded")


def get_by_pk(env: Env) -> None:
    """(e) ``n`` primary-key lookups, one query each."""
    ids = pks(env.rows, env.n)
    cur = env.conn.cursor()
    sql = env.sql(SELECT_ITEM + " WHERE id = ?")
    row = None
    with env.timed():
        for pk in ids:
            cur.execute(sql, (pk,))
            row = cur.fetchone()
    env.check(row is not None and row[0] == ids[-1], "the last row fetched by its key")


def get_cached(env: Env) -> None:
    """(f) ``n`` lookups of already loaded rows in a dict keyed by primary key."""
    cur = env.conn.cursor()
    cur.execute(env.sql(SELECT_ITEM))
    by_id = {row[0]: row for row in cur.fetchall()}
    env.conn.commit()
    ids = pks(env.rows, env.n)
    row = None
    with env.timed():
        for pk in ids:
            row = by_id[pk]
    env.check(row is not None and row[0] == ids[-1], "the last row found by its key")


def filter_many(env: Env) -> None:
    """(g) ``n`` queries filtering on ``grp``, about 200 rows each."""
    groups = groups_for(env.rows)
    keys = [i % groups for i in range(env.n)]
    cur = env.conn.cursor()
    sql = env.sql(SELECT_ITEM + " WHERE item.grp = ?")
    result: list = []
    with env.timed():
        for k in keys:
            cur.execute(sql, (k,))
            result = cur.fetchall()
    env.check(len(result) == env.rows // groups, "one group's rows from the last query")


def filter_one(env: Env) -> None:
    """(g2) ``n`` one-row queries on the unique ``name`` column, checked to be one row."""
    names = [name_of(pk) for pk in pks(env.rows, env.n)]
    cur = env.conn.cursor()
    sql = env.sql(SELECT_ITEM + " WHERE item.name = ?")
    row = None
    with env.timed():
        for name in names:
            cur.execute(sql, (name,))
            (row,) = cur.fetchall()
    env.check(row is not None and row[1] == names[-1], "the last row found by its name")


def _load(env: Env) -> list[tuple]:
    cur = env.conn.cursor()
    cur.execute(env.sql(SELECT_ITEM))
    rows = cur.fetchall()
    env.conn.commit()
    return rows


def update_loaded(env: Env) -> None:
    """(h) one column changed on every loaded row: one executemany, one commit."""
    rows = _load(env)
    before = env.scalar("SELECT sum(value) FROM item")
    cur = env.conn.cursor()
    sql = env.sql("UPDATE item SET value=? WHERE item.id = ?")
    with env.timed():
        cur.executemany(sql, [(row[2] + 1, row[0]) for row in rows])
        env.conn.commit()
    after = env.scalar("SELECT sum(value) FROM item")
    env.check(after - before == len(rows), f"sum(value) up by {len(rows)}")


def update_query(env: Env) -> None:
    """(h2) ``n`` UPDATE statements, each on one group's rows; one commit."""
    groups = groups_for(env.rows)
    keys = [i % groups for i in range(env.n)]
    before = env.scalar("SELECT sum(value) FROM item")
    cur = env.conn.cursor()
    sql = env.sql("UPDATE item SET value=(item.value + ?) WHERE item.grp = ?")
    with env.timed():
        for k in keys:
            cur.execute(sql, (1, k))
        env.conn.commit()
    after = env.scalar("SELECT sum(value) FROM item")
    expected = env.n * (env.rows // groups)
    env.check(after - before == expected, f"sum(value) up by {expected}")


def delete_loaded(env: Env) -> None:
    """(i) every loaded row deleted by primary key: one executemany, one commit."""
    rows = _load(env)
    cur = env.conn.cursor()
    sql = env.sql("DELETE FROM item WHERE item.id = ?")
    with env.timed():
        cur.executemany(sql, [(row[0],) for row in rows])
        env.conn.commit()
    env.check(env.count("item") == 0, "an empty table")
