"""The legacy Query API and 2.0-style ORM execution, including bulk statements."""

from __future__ import annotations

from typing import Any

import pytest
from tests.orm.conftest import Address, User

from athanor import delete, exc, func, insert, select, text, update


@pytest.fixture
def people(Session: Any) -> Any:
    s = Session()
    s.add_all(
        [
            User(id=1, name="ann", fullname="Ann A"),
            User(id=2, name="bob", fullname="Bob B"),
            User(id=3, name="cid", fullname=None),
            User(id=4, name="dee", fullname="Dee D"),
        ]
    )
    s.add_all(
        [
            Address(id=1, user_id=1, email="a1@x"),
            Address(id=2, user_id=1, email="a2@x"),
            Address(id=3, user_id=2, email="b@x"),
        ]
    )
    s.commit()
    s.close()
    return Session


def test_filter_order_limit_offset_slicing(people: Any) -> None:
    s = people()
    q = s.query(User).order_by(User.id)
    assert [u.name for u in q.filter(User.id > 1).limit(2)] == ["bob", "cid"]
    assert [u.name for u in q.offset(2)] == ["cid", "dee"]
    assert [u.name for u in q[1:3]] == ["bob", "cid"]
    assert q[0].name == "ann"
    assert q.first().name == "ann"
    assert [u.name for u in q.filter(User.fullname.is_(None))] == ["cid"]
    assert [u.name for u in s.query(User).order_by(User.name.desc()).all()][0] == "dee"


def test_filter_by_and_helpful_error(people: Any) -> None:
    s = people()
    assert s.query(User).filter_by(name="bob").one().id == 2
    with pytest.raises(exc.InvalidRequestError) as info:
        s.query(User).filter_by(nmae="bob")
    assert "User has no attribute 'nmae'" in str(info.value)
    assert "id, name, fullname, password" in str(info.value)


def test_one_one_or_none_first_scalar_count_exists(people: Any) -> None:
    s = people()
    with pytest.raises(exc.NoResultFound):
        s.query(User).filter_by(name="zed").one()
    with pytest.raises(exc.MultipleResultsFound):
        s.query(User).one()
    assert s.query(User).filter_by(name="zed").one_or_none() is None
    assert s.query(User).filter_by(name="zed").first() is None
    assert s.query(User.name).filter(User.id == 2).scalar() == "bob"
    assert s.query(User).count() == 4
    assert s.query(User).filter(User.id > 2).count() == 2
    assert s.query(s.query(User).filter_by(name="ann").exists()).scalar() in (True, 1)
    assert s.query(s.query(User).filter_by(name="zed").exists()).scalar() in (False, 0)


def test_columns_distinct_group_by_having_with_entities(people: Any) -> None:
    s = people()
    rows = s.query(User.name, User.id).order_by(User.id).all()
    assert rows[0] == ("ann", 1) and rows[0].name == "ann"
    counts = (
        s.query(Address.user_id, func.count(Address.id))
        .group_by(Address.user_id)
        .having(func.count(Address.id) > 1)
        .all()
    )
    assert counts == [(1, 2)]
    assert sorted(r[0] for r in s.query(Address.user_id).distinct()) == [1, 2]
    assert s.query(User).filter_by(id=1).with_entities(User.name).all() == [("ann",)]


def test_join_outerjoin_explicit_on(people: Any) -> None:
    s = people()
    q = s.query(User).join(Address, Address.user_id == User.id).filter(Address.email == "b@x")
    assert [u.name for u in q] == ["bob"]
    rows = (
        s.query(User.name, Address.email)
        .outerjoin(Address, Address.user_id == User.id)
        .order_by(User.id, Address.id)
        .all()
    )
    assert rows[0] == ("ann", "a1@x") and ("cid", None) in rows
    pairs = (
        s.query(User, Address).join(Address, Address.user_id == User.id).order_by(Address.id).all()
    )
    assert pairs[0][0] is pairs[1][0] and pairs[2][1].email == "b@x"


def test_identity_map_gives_one_object_per_row(people: Any) -> None:
    s = people()
    a = s.query(User).filter_by(id=1).one()
    b = s.execute(select(User).where(User.name == "ann")).scalar_one()
    assert a is b is s.get(User, 1)


def test_query_get_and_iteration(people: Any) -> None:
    s = people()
    assert s.query(User).get(3).name == "cid"
    assert len(list(s.query(User))) == 4


def test_bulk_update_synchronizes_loaded_objects(people: Any, engine: Any) -> None:
    s = people()
    users = s.query(User).order_by(User.id).all()
    n = s.query(User).filter(User.id <= 2).update({"fullname": "changed"})
    assert n == 2
    assert [u.fullname for u in users] == ["changed", "changed", None, "Dee D"]
    s.query(User).filter(User.name.like("d%")).update(
        {User.fullname: "D"}, synchronize_session="fetch"
    )
    assert users[3].fullname == "D"
    s.query(User).update({"password": "pw"}, synchronize_session=False)
    s.commit()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM users WHERE password = 'pw'")).scalar() == 4


def test_bulk_delete_removes_loaded_objects(people: Any) -> None:
    s = people()
    s.query(Address).delete()
    cid = s.get(User, 3)
    assert s.query(User).filter(User.id >= 3).delete() == 2
    assert s.get(User, 3) is None
    assert cid not in s
    s.commit()
    assert s.query(User).count() == 2


def test_orm_update_delete_through_execute(people: Any) -> None:
    s = people()
    ann = s.get(User, 1)
    s.execute(update(User).where(User.id == 1).values(fullname="via execute"))
    assert ann.fullname == "via execute"
    s.execute(delete(Address).where(Address.user_id == 1))
    assert s.query(Address).count() == 1


def test_bulk_insert_through_execute_and_mappings(Session: Any) -> None:
    s = Session()
    s.execute(insert(User), [{"id": i, "name": f"u{i}"} for i in range(1, 51)])
    s.bulk_insert_mappings(User, [{"id": 100 + i, "name": f"m{i}"} for i in range(10)])
    s.commit()
    assert s.query(User).count() == 60
    s.bulk_update_mappings(User, [{"id": 1, "name": "renamed"}, {"id": 2, "fullname": "F"}])
    s.commit()
    assert s.get(User, 1).name == "renamed" and s.get(User, 2).fullname == "F"
    objs = [User(id=200 + i, name=f"o{i}") for i in range(5)]
    s.bulk_save_objects(objs)
    s.commit()
    assert s.query(User).filter(User.id >= 200).count() == 5
    s.close()


def test_session_execute_returns_rows_of_entities_and_columns(people: Any) -> None:
    s = people()
    res = s.execute(select(User).order_by(User.id))
    first = res.first()
    assert first[0].name == "ann" and first.User.name == "ann"
    assert [u.id for u in s.scalars(select(User).where(User.id > 2))] == [3, 4]
    assert s.execute(select(User.name).where(User.id == 4)).scalar_one() == "dee"
    mapping = s.execute(select(User.id, User.name).where(User.id == 2)).mappings().one()
    assert mapping["name"] == "bob"


def test_bulk_insert_reports_rowcount(Session: Any) -> None:
    s = Session()
    result = s.execute(insert(User), [{"name": f"r{i}"} for i in range(30)])
    assert result.rowcount == 30
    s.commit()
    assert s.query(User).count() == 30
    s.close()


def test_filter_by_shapes_and_values(people: Any) -> None:
    s = people()
    assert s.query(User).filter_by(name="bob").one().id == 2
    assert s.query(User).filter_by(name="bob", id=2).all()[0].name == "bob"
    assert s.query(User).filter_by(name="nobody").all() == []
    assert [u.name for u in s.query(User).filter_by(fullname=None)] == ["cid"]  # IS NULL
    q = s.query(User).filter_by(name="ann").filter_by(id=1)
    assert "WHERE" in str(q) and q.count() == 1
    assert s.query(User).filter_by(name="dee").order_by(User.id).first().id == 4
    assert s.query(User).filter_by(id=User.id).count() == 4  # an expression, not a value


def test_query_set_operations(people: Any) -> None:
    s = people()
    low = s.query(User).filter(User.id < 2)
    high = s.query(User).filter(User.id > 3)
    both = low.union(high).order_by(User.id)
    assert [u.name for u in low.union(high)] and sorted(u.name for u in both) == ["ann", "dee"]
    assert all(isinstance(u, User) for u in both) and both.count() == 2
    assert low.union_all(low).count() == 2
    names = s.query(User.name).filter(User.id <= 2)
    assert sorted(names.intersect(s.query(User.name).filter(User.id >= 2)).all()) == [("bob",)]
    if s.bind.dialect.name != "mysql" or s.bind.dialect.server_version_info >= (10, 3):
        assert sorted(names.except_(s.query(User.name).filter(User.id == 1)).all()) == [("bob",)]
    s.close()


def test_text_with_mapped_attribute_columns_runs_through_the_session(people: Any) -> None:
    s = people()
    stmt = text("SELECT id, name FROM users ORDER BY id").columns(User.id, User.name)
    rows = s.execute(stmt).all()
    assert [(r.id, r.name) for r in rows][:2] == [(1, "ann"), (2, "bob")]
    every = text("SELECT * FROM users ORDER BY id").columns(
        User.id, User.name, User.fullname, User.password)
    assert s.scalars(select(User).from_statement(every)).first().name == "ann"
    s.close()


def test_orm_result_partitions_follow_yield_per(people: Any) -> None:
    s = people()
    stmt = select(User).order_by(User.id)
    sizes = [len(p) for p in s.execute(stmt.execution_options(yield_per=3)).scalars()
             .partitions()]
    assert sizes == [3, 1]
    assert [len(p) for p in s.execute(stmt).yield_per(2).partitions()] == [2, 2]
    s.close()
