"""Statements executed on every backend, results asserted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from athanor.sql import (
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    union,
    union_all,
)
from athanor.sql.schema import Column, ForeignKey, MetaData, Table
from athanor.sql.types import Integer, String

m = MetaData()
users = Table("users", m, Column("id", Integer, primary_key=True, autoincrement=False),
              Column("name", String(100)), Column("Group", String(20)))
posts = Table("posts", m, Column("id", Integer, primary_key=True, autoincrement=False),
              Column("user_id", Integer, ForeignKey("users.id")),
              Column("title", String(60)), Column("score", Integer))

USERS = [
    {"id": 1, "name": "ann", "Group": "a"},
    {"id": 2, "name": "Bob", "Group": "b"},
    {"id": 3, "name": "cy_50%", "Group": "a"},
    {"id": 4, "name": None, "Group": "c"},
]
POSTS = [
    {"id": 1, "user_id": 1, "title": "p1", "score": 5},
    {"id": 2, "user_id": 1, "title": "p2", "score": 7},
    {"id": 3, "user_id": 2, "title": "p3", "score": 1},
]


@pytest.fixture
def conn(engine: Any) -> Iterator[Any]:
    m.create_all(engine)
    with engine.begin() as c:
        c.execute(users.insert(), USERS)
        c.execute(posts.insert(), POSTS)
    with engine.connect() as c:
        yield c
        c.rollback()


def ids(rows: Any) -> list[int]:
    return sorted(r[0] for r in rows)


def test_where_operators(conn: Any) -> None:
    q = select(users.c.id)
    assert ids(conn.execute(q.where(users.c.name == None))) == [4]  # noqa: E711
    assert ids(conn.execute(q.where(users.c.id.in_([1, 3, 9])))) == [1, 3]
    assert ids(conn.execute(q.where(users.c.id.in_([])))) == []
    assert ids(conn.execute(q.where(users.c.id.not_in([])))) == [1, 2, 3, 4]
    assert ids(conn.execute(q.where(users.c.id.between(2, 3)))) == [2, 3]
    assert ids(conn.execute(q.where(or_(users.c.id == 1, and_(users.c.id > 2,
                                                              users.c.name != None))))) \
        == [1, 3]  # noqa: E711
    assert ids(conn.execute(q.where(~(users.c.id < 3)))) == [3, 4]


def test_like_family(conn: Any) -> None:
    q = select(users.c.id)
    assert ids(conn.execute(q.where(users.c.name.ilike("BO%")))) == [2]
    assert ids(conn.execute(q.where(users.c.name.contains("50%", autoescape=True)))) == [3]
    assert ids(conn.execute(q.where(users.c.name.startswith("cy_", autoescape=True)))) == [3]
    assert ids(conn.execute(q.where(users.c.name.endswith("nn")))) == [1]


def test_join_group_having_order_limit(conn: Any) -> None:
    stmt = (select(users.c.name, func.count(posts.c.id).label("n"),
                   func.sum(posts.c.score).label("total"))
            .join(posts).group_by(users.c.name).having(func.count(posts.c.id) >= 1)
            .order_by(func.count(posts.c.id)))
    rows = conn.execute(stmt).all()
    assert [(r.name, r.n, int(r.total)) for r in rows] == [("Bob", 1, 1), ("ann", 2, 12)]
    outer = select(users.c.id, posts.c.id).outerjoin(posts).order_by(users.c.id, posts.c.id)
    assert len(conn.execute(outer).all()) == 5
    page = select(users.c.id).order_by(users.c.id.desc()).limit(2).offset(1)
    assert conn.execute(page).scalars().all() == [3, 2]
    assert conn.execute(select(users.c.id).order_by(users.c.id).offset(3)).scalars().all() \
        == [4]


def test_subqueries_exists_and_correlation(conn: Any) -> None:
    count = (select(func.count(posts.c.id)).where(posts.c.user_id == users.c.id)
             .scalar_subquery())
    rows = conn.execute(select(users.c.id, count.label("c")).order_by(users.c.id)).all()
    assert [tuple(r) for r in rows] == [(1, 2), (2, 1), (3, 0), (4, 0)]
    has_posts = exists().where(posts.c.user_id == users.c.id)
    assert ids(conn.execute(select(users.c.id).where(has_posts))) == [1, 2]
    assert ids(conn.execute(select(users.c.id).where(~has_posts))) == [3, 4]
    sub = select(posts.c.user_id, func.max(posts.c.score).label("best")) \
        .group_by(posts.c.user_id).subquery()
    rows = conn.execute(select(users.c.name, sub.c.best).join(
        sub, sub.c.user_id == users.c.id).order_by(sub.c.best)).all()
    assert [tuple(r) for r in rows] == [("Bob", 1), ("ann", 7)]


def test_union_and_cte(conn: Any) -> None:
    a = select(users.c.id).where(users.c.id < 2)
    b = select(users.c.id).where(users.c.id > 3)
    assert conn.execute(union(a, b).order_by(users.c.id)).scalars().all() == [1, 4]
    assert len(conn.execute(union_all(a, a)).all()) == 2
    big = select(posts.c.user_id).where(posts.c.score > 4).cte("big")
    assert ids(conn.execute(select(users.c.id).where(users.c.id.in_(select(big.c.user_id))))) \
        == [1]
    nums = select(literal(1, Integer).label("n")).cte("nums", recursive=True)
    nums = nums.union_all(select(nums.c.n + 1).where(nums.c.n < 5))
    assert conn.execute(select(func.sum(nums.c.n))).scalar() == 15
    # unnamed recursive CTE joined to itself in its second part (a tree walk)
    walk = select(posts.c.id, posts.c.user_id).where(posts.c.id == 1).cte(recursive=True)
    walk = walk.union_all(select(posts.c.id, posts.c.user_id).join(
        walk, posts.c.id == walk.c.id + 1).where(posts.c.id < 3))
    assert sorted(conn.execute(select(walk.c.id)).scalars().all()) == [1, 2]
    # the recursive part selecting the CTE's own columns (a depth counter) next to a join
    lvl = select(posts.c.id, literal(0, Integer).label("depth")).where(
        posts.c.id == 1).cte("lvl", recursive=True)
    lvl = lvl.union_all(select(posts.c.id, (lvl.c.depth + 1).label("depth")).join(
        lvl, posts.c.id == lvl.c.id + 1).where(posts.c.id < 4))
    assert conn.execute(select(lvl.c.id, lvl.c.depth).order_by(lvl.c.id)).all() == [
        (1, 0), (2, 1), (3, 2)]
    # IN (scalar subquery)
    best = select(posts.c.user_id).where(posts.c.score > 4).scalar_subquery()
    assert ids(conn.execute(select(users.c.id).where(users.c.id.in_(best)))) == [1]


def test_case_cast_literal_and_reserved_names(conn: Any) -> None:
    size = case((users.c.id > 2, "big"), else_="small").label("size")
    rows = conn.execute(select(users.c.id, size).order_by(users.c.id)).all()
    assert [r.size for r in rows] == ["small", "small", "big", "big"]
    assert conn.execute(select(cast(literal("42"), Integer))).scalar() == 42
    assert ids(conn.execute(select(users.c.id).where(users.c.Group == "a"))) == [1, 3]
    assert conn.execute(select(literal_column("7"))).scalar() == 7


def test_update_delete_and_executemany(conn: Any) -> None:
    r = conn.execute(users.update().where(users.c.id == 1).values(name="ANN"))
    assert r.rowcount == 1
    stmt = users.update().where(users.c.id == bindparam("pk")).values(name=bindparam("nm"))
    conn.execute(stmt, [{"pk": 2, "nm": "x"}, {"pk": 3, "nm": "y"}])
    names = conn.execute(select(users.c.name).order_by(users.c.id)).scalars().all()
    assert names == ["ANN", "x", "y", None]
    conn.execute(posts.delete().where(posts.c.score < 6))
    assert conn.execute(select(func.count()).select_from(posts)).scalar() == 1


def test_insert_forms(conn: Any) -> None:
    conn.execute(users.insert().values([{"id": 10, "name": "m1", "Group": "g"},
                                        {"id": 11, "name": "m2", "Group": "g"}]))
    conn.execute(users.insert().from_select(
        ["id", "name", "Group"],
        select(users.c.id + 100, users.c.name, users.c.Group).where(users.c.Group == "g")))
    assert ids(conn.execute(select(users.c.id).where(users.c.id >= 10))) == [10, 11, 110, 111]


def test_hostile_strings_round_trip(conn: Any) -> None:
    nasty = "x'; DROP TABLE users; -- \" \\ %s :name ? `"
    conn.execute(users.insert().values(id=50, name=nasty))
    assert conn.execute(select(users.c.name).where(users.c.id == 50)).scalar() == nasty
    assert conn.execute(select(users.c.id).where(users.c.name == nasty)).scalar() == 50
    assert conn.execute(text("SELECT name FROM users WHERE id = :i"), {"i": 50}).scalar() \
        == nasty


def test_returning(conn: Any, require: Any) -> None:
    require(conn.engine, "returning")
    row = conn.execute(users.insert().values(id=20, name="r").returning(users.c.id,
                                                                         users.c.name)).one()
    assert tuple(row) == (20, "r")
    got = conn.execute(users.update().where(users.c.id == 20).values(name="s")
                       .returning(users.c.name)).scalar()
    assert got == "s"


def test_upsert(conn: Any) -> None:
    stmt = posts.insert().values(id=1, user_id=1, title="new", score=100)
    stmt = stmt.on_conflict_do_update(index_elements=["id"],
                                      set_={"title": stmt.excluded.title,
                                            "score": posts.c.score + 1})
    conn.execute(stmt)
    row = conn.execute(select(posts.c.title, posts.c.score).where(posts.c.id == 1)).one()
    assert tuple(row) == ("new", 6)
    conn.execute(posts.insert().values(id=2, user_id=1, title="ignored", score=0)
                 .on_conflict_do_nothing(index_elements=["id"]))
    assert conn.execute(select(posts.c.title).where(posts.c.id == 2)).scalar() == "p2"
    conn.execute(posts.insert().values(id=9, user_id=2, title="fresh", score=0)
                 .on_conflict_do_nothing(index_elements=["id"]))
    assert conn.execute(select(posts.c.title).where(posts.c.id == 9)).scalar() == "fresh"


def test_for_update(conn: Any, require: Any) -> None:
    require(conn.engine, "for_update")
    stmt = select(users.c.id).where(users.c.id == 1).with_for_update()
    assert conn.execute(stmt).scalar() == 1


def test_statement_cache_used_across_executions(conn: Any) -> None:
    dialect = conn.engine.dialect
    stmt_for = lambda i: select(users.c.name).where(users.c.id == i)  # noqa: E731
    conn.execute(stmt_for(1))
    before = dialect.compile_count
    for i in range(2, 5):
        conn.execute(stmt_for(i)).all()
    assert dialect.compile_count == before


def test_multi_table_update_and_correlated_dml(conn: Any) -> None:
    conn.execute(posts.update().values(title=users.c.name).where(
        posts.c.user_id == users.c.id))
    titles = conn.execute(select(posts.c.title).order_by(posts.c.id)).scalars().all()
    assert titles == ["ann", "ann", "Bob"]
    count = select(func.count(posts.c.id)).where(posts.c.user_id == users.c.id)
    conn.execute(users.update().values(Group=cast(count.scalar_subquery(), String(20))))
    groups = conn.execute(select(users.c.Group).order_by(users.c.id)).scalars().all()
    assert groups == ["2", "1", "0", "0"]
    conn.execute(users.delete().where(~exists().where(posts.c.user_id == users.c.id)))
    assert ids(conn.execute(select(users.c.id))) == [1, 2]


def test_multi_row_upsert_and_set_operations(conn: Any) -> None:
    stmt = posts.insert().values([
        {"id": 3, "user_id": 2, "title": "again", "score": 9},
        {"id": 4, "user_id": 2, "title": "new", "score": 2},
    ])
    conn.execute(stmt.on_conflict_do_update(index_elements=["id"],
                                            set_={"score": stmt.excluded.score}))
    rows = conn.execute(select(posts.c.id, posts.c.title, posts.c.score)
                        .where(posts.c.id >= 3).order_by(posts.c.id)).all()
    assert [tuple(r) for r in rows] == [(3, "p3", 9), (4, "new", 2)]
    a = select(posts.c.user_id)
    b = select(users.c.id).where(users.c.id > 1)
    assert sorted(conn.execute(a.intersect(b)).scalars().all()) == [2]
    assert sorted(conn.execute(b.except_(a)).scalars().all()) == [3, 4]


def test_window_functions_nulls_order_and_distinct(conn: Any) -> None:
    rank = func.row_number().over(partition_by=posts.c.user_id, order_by=posts.c.score.desc())
    rows = conn.execute(select(posts.c.id, rank.label("r")).order_by(posts.c.id)).all()
    assert [tuple(r) for r in rows] == [(1, 2), (2, 1), (3, 1)]
    first = conn.execute(select(users.c.id).order_by(users.c.name.asc().nulls_first())
                         ).scalars().first()
    assert first == 4
    last = conn.execute(select(users.c.id).order_by(users.c.name.desc().nulls_last())
                        ).scalars().all()[-1]
    assert last == 4
    groups = conn.execute(select(users.c.Group).distinct().order_by(users.c.Group))
    assert groups.scalars().all() == ["a", "b", "c"]


def test_bindparam_values_at_execute_time(conn: Any) -> None:
    stmt = select(users.c.name).where(users.c.id == bindparam("uid"))
    assert conn.execute(stmt, {"uid": 2}).scalar() == "Bob"
    assert conn.execute(stmt.params(uid=1)).scalar() == "ann"


def test_values_and_filtered_aggregates(conn: Any) -> None:
    from athanor.sql import column, values
    v = values(column("uid", Integer), column("tag", String(10)), name="v").data(
        [(1, "x"), (2, "y"), (9, "z")])
    rows = conn.execute(select(users.c.name, v.c.tag).join(v, v.c.uid == users.c.id)
                        .order_by(v.c.tag)).all()
    assert [tuple(r) for r in rows] == [("ann", "x"), ("Bob", "y")]
    stmt = select(func.count(posts.c.id).filter(posts.c.score > 2).label("n"))
    assert conn.execute(stmt).scalar() == 2


def test_text_columns_and_exists_as_a_column(conn: Any) -> None:
    from athanor.sql import column
    stmt = text("SELECT id, name FROM users WHERE id < :n ORDER BY id").columns(
        column("id", Integer), column("name", String(100)))
    rows = conn.execute(stmt, {"n": 3}).all()
    assert [tuple(r) for r in rows] == [(1, "ann"), (2, "Bob")]
    assert rows[0]._mapping["name"] == "ann"
    sub = stmt.bindparams(n=2).subquery()
    assert conn.execute(select(sub.c.name)).scalars().all() == ["ann"]
    has = conn.execute(select(exists().where(posts.c.user_id == 1))).scalar()
    assert bool(has) is True


def test_text_columns_take_type_classes_and_avg_keeps_the_driver_value(conn: Any) -> None:
    stmt = text("SELECT id, name FROM users WHERE id < :n ORDER BY id").columns(
        id=Integer, name=String)  # classes, not instances, as SQLAlchemy accepts
    assert [tuple(r) for r in conn.execute(stmt, {"n": 3})] == [(1, "ann"), (2, "Bob")]
    value = conn.execute(select(func.avg(users.c.id))).scalar()
    assert float(value) == 2.5  # untyped: whatever the driver returns (float or Decimal)


def test_row_values_extract_and_string_casts(conn: Any) -> None:
    import datetime

    from athanor.sql import extract, tuple_
    from athanor.sql.types import Date
    stmt = select(posts.c.id).where(tuple_(posts.c.user_id, posts.c.score).in_([(1, 7), (2, 1)]))
    assert ids(conn.execute(stmt)) == [2, 3]
    day = cast(literal(datetime.date(2024, 3, 9), Date), Date)
    assert conn.execute(select(extract("year", day), extract("month", day))).one() == (2024, 3)
    assert conn.execute(select(cast(users.c.id, String(10))).where(users.c.id == 1)).scalar() \
        == "1"
    assert conn.execute(select(users.c.name + "!").where(users.c.id == 2)).scalar() == "Bob!"
