"""One-to-many loading (issue 6): ``rows`` parents with ``n`` children each.

Three strategies, each timed from the query to having every parent's children in hand:
lazy (one query for the parents, then one per parent), joined (one LEFT OUTER JOIN, parents
de-duplicated) and selectin (the parents, then the children by ``parent_id IN (...)`` in
chunks of 500 keys). The raw versions send the same SQL and group the child tuples by parent
in a dict, which is the least a hand-written program must do.
"""

from __future__ import annotations

from typing import Any

from benchmarks.env import Env
from benchmarks.orm_cases import Kit

CHUNK = 500
PARENTS = "SELECT parent.id, parent.name FROM parent"
CHILD_COLS = "child.id, child.parent_id, child.name"


def declare_relations(kit: Kit) -> None:
    """Declare ``Parent`` (with ``children``, lazy by default) and ``Child``."""
    sa, orm = kit.sa, kit.orm
    base: Any = orm.declarative_base()

    class Parent(base):
        __tablename__ = "parent"
        id = sa.Column(sa.Integer, primary_key=True)
        name = sa.Column(sa.String(50), nullable=False)
        children = orm.relationship("Child")

    class Child(base):
        __tablename__ = "child"
        id = sa.Column(sa.Integer, primary_key=True)
        parent_id = sa.Column(sa.Integer, sa.ForeignKey("parent.id"), nullable=False)
        name = sa.Column(sa.String(50), nullable=False)

    kit.models.update(Parent=Parent, Child=Child)


def _check(env: Env, parents: int, children: int) -> None:
    env.check(parents == env.rows, f"{env.rows} parents")
    env.check(children == env.rows * env.n, f"{env.rows * env.n} children")


def raw_lazy(env: Env) -> None:
    cur = env.conn.cursor()
    sql = env.sql(f"SELECT {CHILD_COLS} FROM child WHERE ? = child.parent_id")
    children: dict[int, list[tuple]] = {}
    with env.timed():
        cur.execute(PARENTS)
        parents = cur.fetchall()
        for row in parents:
            cur.execute(sql, (row[0],))
            children[row[0]] = cur.fetchall()
    _check(env, len(parents), sum(len(c) for c in children.values()))


def raw_joined(env: Env) -> None:
    cur = env.conn.cursor()
    sql = (
        f"SELECT parent.id, parent.name, {CHILD_COLS.replace('child.', 'child_1.')} "
        "FROM parent LEFT OUTER JOIN child AS child_1 ON parent.id = child_1.parent_id"
    )
    with env.timed():
        cur.execute(sql)
        parents: dict[int, tuple] = {}
        children: dict[int, list[tuple]] = {}
        for row in cur.fetchall():
            pid = row[0]
            if pid not in parents:
                parents[pid] = row[:2]
                children[pid] = []
            if row[2] is not None:
                children[pid].append(row[2:])
    _check(env, len(parents), sum(len(c) for c in children.values()))


def raw_selectin(env: Env) -> None:
    cur = env.conn.cursor()
    with env.timed():
        cur.execute(PARENTS)
        parents = cur.fetchall()
        children: dict[int, list[tuple]] = {row[0]: [] for row in parents}
        ids = list(children)
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            marks = ", ".join("?" for _ in chunk)
            sql = f"SELECT {CHILD_COLS} FROM child WHERE child.parent_id IN ({marks})"
            cur.execute(env.sql(sql), chunk)
            for row in cur.fetchall():
                children[row[1]].append(row)
    _check(env, len(parents), sum(len(c) for c in children.values()))


def orm_lazy(env: Env) -> None:
    kit = env.kit
    Parent = kit.models["Parent"]
    with kit.Session() as s:
        with env.timed():
            parents = s.scalars(kit.sa.select(Parent)).all()
            total = 0
            for p in parents:
                total += len(p.children)
        _check(env, len(parents), total)


def orm_joined(env: Env) -> None:
    kit = env.kit
    Parent = kit.models["Parent"]
    stmt = kit.sa.select(Parent).options(kit.orm.joinedload(Parent.children))
    with kit.Session() as s:
        with env.timed():
            parents = s.scalars(stmt).unique().all()
            total = 0
            for p in parents:
                total += len(p.children)
        _check(env, len(parents), total)


def orm_selectin(env: Env) -> None:
    kit = env.kit
    Parent = kit.models["Parent"]
    stmt = kit.sa.select(Parent).options(kit.orm.selectinload(Parent.children))
    with kit.Session() as s:
        with env.timed():
            parents = s.scalars(stmt).all()
            total = 0
            for p in parents:
                total += len(p.children)
        _check(env, len(parents), total)
