"""Session basics on every backend: add/get/flush/commit, instance states, expiry, merge."""

from __future__ import annotations

from typing import Any

import pytest
from tests.orm.conftest import Address, Pair, User

import athanor
from athanor import exc, select, text
from athanor.orm import Session as PlainSession
from athanor.orm import sessionmaker
from athanor.orm.exc import DetachedInstanceError, ObjectDeletedError


def _count(engine: Any, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()


def test_add_commit_fills_generated_keys(Session: Any, engine: Any) -> None:
    with Session() as s:
        u = User(name="wendy", fullname="Wendy Williams")
        s.add(u)
        assert u.id is None
        s.commit()
        assert isinstance(u.id, int)
    assert _count(engine, "users") == 1


def test_instance_state_transitions(Session: Any) -> None:
    u = User(name="ann")
    st = athanor.inspect(u)
    assert st.transient and not st.pending
    s = Session()
    s.add(u)
    assert st.pending and u in s.new
    s.flush()
    assert st.persistent and st.identity == (u.id,)
    assert st.identity_key == (User, (u.id,), None)
    s.delete(u)
    assert u in s.deleted and st.persistent
    s.flush()
    assert st.deleted and not st.persistent
    s.commit()
    assert st.detached and st.was_deleted
    s.close()


def test_get_serves_identity_map_without_sql(Session: Any, statements: Any) -> None:
    s = Session()
    u = User(name="bob")
    s.add(u)
    s.commit()
    uid = u.id
    statements.statements.clear()
    s2 = Session()
    got = s2.get(User, uid)
    assert got.name == "bob"
    n = len(statements.sql("SELECT"))
    assert s2.get(User, uid) is got
    assert s2.get(User, (uid,)) is got
    assert s2.get(User, {"id": uid}) is got
    assert len(statements.sql("SELECT")) == n
    assert s2.get(User, 999999) is None
    s.close()
    s2.close()


def test_get_composite_key(Session: Any) -> None:
    s = Session()
    s.add(Pair(a=1, b="x", note="first"))
    s.commit()
    s2 = Session()
    p = s2.get(Pair, (1, "x"))
    assert p.note == "first"
    assert s2.get(Pair, {"a": 1, "b": "x"}) is p
    with pytest.raises(exc.InvalidRequestError, match="composite primary key"):
        s2.get(Pair, 1)
    s.close()
    s2.close()


def test_update_only_changed_columns(Session: Any, statements: Any) -> None:
    s = Session()
    u = User(name="carl", fullname="Carl C", password="pw")
    s.add(u)
    s.commit()
    u.fullname = "Carl Changed"
    assert u in s.dirty
    assert athanor.inspect(u).modified
    statements.statements.clear()
    s.commit()
    updates = statements.sql("UPDATE")
    assert len(updates) == 1
    assert (
        "fullname" in updates[0]
        and "password" not in updates[0]
        and "name=" not in (updates[0].replace(" ", "").replace("fullname", ""))
    )
    s.close()
    with Session() as s2:
        assert s2.get(User, u.id).fullname == "Carl Changed"


def test_setting_same_value_writes_nothing(Session: Any, statements: Any) -> None:
    s = Session()
    u = User(name="dora")
    s.add(u)
    s.commit()
    u.name = "dora"
    statements.statements.clear()
    s.commit()
    assert statements.sql("UPDATE") == []
    s.close()


def test_objects_readable_after_commit_and_close(Session: Any) -> None:
    s = Session()
    u = User(name="erin", fullname="Erin E")
    s.add(u)
    s.commit()
    s.close()
    assert u.name == "erin" and u.fullname == "Erin E"
    assert athanor.inspect(u).detached


def test_expired_attribute_reloads_while_attached(Session: Any, engine: Any) -> None:
    s = Session()
    u = User(name="fay")
    s.add(u)
    s.flush()
    uid = u.id
    s.commit()
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET name = 'FAY' WHERE id = :i"), {"i": uid})
    assert u.name == "FAY"  # expired at commit: reloaded on access
    s.close()


def test_unloaded_attribute_on_detached_object_raises_naming_fix(Session: Any) -> None:
    s = Session()
    u = User(name="gus")
    s.add(u)
    s.commit()
    s.expire(u, ["fullname"])
    st = athanor.inspect(u)
    st.expired.pop("fullname")  # simulate an attribute never loaded
    s.expunge(u)
    with pytest.raises(DetachedInstanceError) as info:
        _ = u.fullname
    msg = str(info.value)
    assert "User.fullname" in msg and "Session" in msg
    s.close()


def test_refresh_expire_and_expire_all(Session: Any, engine: Any) -> None:
    s = Session()
    u = User(name="hal", fullname="Hal")
    s.add(u)
    s.commit()
    uid = u.id
    s.commit()  # end the transaction the read above began (REPEATABLE READ snapshots)
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET fullname = 'HAL' WHERE id = :i"), {"i": uid})
    s.refresh(u)
    assert u.fullname == "HAL"
    u.fullname = "local"
    s.expire(u)
    assert u not in s.dirty
    assert u.fullname == "HAL"
    s.expire_all()
    assert "fullname" not in u.__dict__
    assert u.fullname == "HAL"
    s.close()


def test_refresh_of_deleted_row_raises(Session: Any, engine: Any) -> None:
    s = Session()
    u = User(name="ida")
    s.add(u)
    s.flush()
    uid = u.id
    s.commit()
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE id = :i"), {"i": uid})
    with pytest.raises(ObjectDeletedError):
        s.refresh(u)
    s.close()


def test_expunge_and_expunge_all(Session: Any) -> None:
    s = Session()
    a, b = User(name="a"), User(name="b")
    s.add_all([a, b])
    s.expunge(a)
    assert a not in s and b in s
    s.commit()
    s.expunge_all()
    assert b not in s and athanor.inspect(b).detached
    s.close()


def test_merge_copies_state_into_session(Session: Any) -> None:
    s = Session()
    u = User(name="jo", fullname="Jo")
    s.add(u)
    s.commit()
    s.close()
    u.fullname = "Jo Merged"
    s2 = Session()
    merged = s2.merge(u)
    assert merged is not u and merged.fullname == "Jo Merged"
    s2.commit()
    s2.close()
    with Session() as s3:
        assert s3.get(User, u.id).fullname == "Jo Merged"
    new = User(id=555, name="newbie")
    s4 = Session()
    m = s4.merge(new)
    s4.commit()
    assert m.id == 555
    s4.close()


def test_detached_object_re_added_is_updated(Session: Any) -> None:
    s = Session()
    u = User(name="kim")
    s.add(u)
    s.commit()
    s.close()
    u.name = "KIM"
    s2 = Session()
    s2.add(u)
    assert u in s2.dirty
    s2.commit()
    s2.close()
    with Session() as s3:
        assert s3.get(User, u.id).name == "KIM"


def test_fk_order_of_inserts_and_deletes(Session: Any) -> None:
    s = Session()
    # added child first: the flush must still insert the parent table first
    s.add(Address(id=1, user_id=10, email="x@example.com"))
    s.add(User(id=10, name="parent"))
    s.commit()
    user, address = s.get(User, 10), s.get(Address, 1)
    s.delete(user)
    s.delete(address)
    s.commit()
    assert s.query(User).count() == 0
    s.close()


def test_autoflush_before_query_and_no_autoflush(Session: Any) -> None:
    s = Session()
    s.add(User(name="auto"))
    assert s.query(User).filter_by(name="auto").count() == 1
    with s.no_autoflush:
        s.add(User(name="held"))
        assert s.query(User).filter_by(name="held").count() == 0
    assert s.query(User).filter_by(name="held").count() == 1
    s.close()


def test_missing_string_pk_raises_at_flush_naming_model_and_column(
    Session: Any, engine: Any
) -> None:
    s = Session()
    s.add(Pair(b="x"))
    with pytest.raises(athanor.orm.exc.FlushError) as info:
        s.flush()
    assert "Pair" in str(info.value) and "'a'" in str(info.value)
    s.rollback()
    assert _count(engine, "pairs") == 0
    s.close()


def test_session_info_bind_and_get_bind(Session: Any, engine: Any) -> None:
    s = Session(info={"k": 1})
    assert s.info == {"k": 1}
    assert s.bind is engine and s.get_bind() is engine
    with pytest.raises(exc.InvalidRequestError, match="not bound"):
        PlainSession().get_bind()
    s.close()


def test_sessionmaker_configure_binds_later(engine: Any) -> None:
    from tests.orm.conftest import Base

    Base.metadata.create_all(engine)
    factory = sessionmaker()
    factory.configure(bind=engine)
    with factory() as s:
        s.add(User(name="late"))
        s.commit()
        assert s.scalar(select(User.name)) == "late"


def test_close_releases_connection_to_pool(Session: Any, engine: Any) -> None:
    s = Session()
    s.add(User(name="pool"))
    s.flush()
    assert engine.pool.checkedout() == 1
    s.close()
    assert engine.pool.checkedout() == 0
    s = Session()
    s.query(User).all()
    s.commit()
    assert engine.pool.checkedout() == 0
    s.close()


def test_is_active_in_transaction_and_identity_map(Session: Any) -> None:
    s = Session()
    assert not s.in_transaction() and s.is_active
    u = User(name="x")
    s.add(u)
    assert s.in_transaction()
    s.flush()
    assert (User, (u.id,), None) in s.identity_map
    assert s.identity_map[(User, (u.id,), None)] is u
    s.commit()
    assert not s.in_transaction()
    s.close()


def test_execute_scalars_scalar(Session: Any) -> None:
    s = Session()
    s.add_all([User(name="p"), User(name="q")])
    s.commit()
    names = s.scalars(select(User.name).order_by(User.name)).all()
    assert names == ["p", "q"]
    assert s.scalar(select(User).where(User.name == "q")).name == "q"
    rows = s.execute(select(User, User.name).order_by(User.name)).all()
    assert rows[0][0].name == "p" and rows[0][1] == "p" and rows[0].User is rows[0][0]
    assert s.execute(text("SELECT COUNT(*) FROM users")).scalar() == 2
    s.close()


def test_batched_insert_fills_each_object_its_own_key(Session: Any, engine: Any) -> None:
    s = Session()
    users = [User(name=f"n{i}") for i in range(2500)]  # several multi-row pages
    s.add_all(users)
    s.commit()
    ids = [u.id for u in users]
    assert len(set(ids)) == 2500
    with engine.connect() as conn:
        by_id = dict(conn.execute(text("SELECT id, name FROM users")).all())
    assert all(by_id[u.id] == u.name for u in users)
    s.close()


def test_python_defaults_and_onupdate_are_applied(engine: Any) -> None:
    from athanor import Column, Integer, String
    from athanor.orm import declarative_base

    Base = declarative_base()  # noqa: N806
    counter = iter(range(100, 200))

    class Doc(Base):
        __tablename__ = "docs"
        id = Column(Integer, primary_key=True)
        title = Column(String(20), default="untitled")
        rev = Column(Integer, default=lambda: 1, onupdate=lambda: next(counter))

    Base.metadata.create_all(engine)
    factory = sessionmaker(bind=engine)
    with factory() as s:
        d = Doc()
        s.add(d)
        s.flush()
        assert (d.title, d.rev) == ("untitled", 1)
        d.title = "changed"
        s.commit()
        assert d.rev == 100


def test_server_defaults_are_fetched_back(engine: Any) -> None:
    from athanor import Column, Integer, String
    from athanor.orm import declarative_base

    Base = declarative_base()  # noqa: N806

    class Ticket(Base):
        __tablename__ = "tickets"
        id = Column(Integer, primary_key=True)
        status = Column(String(10), server_default="open")

    Base.metadata.create_all(engine)
    with sessionmaker(bind=engine)() as s:
        t = Ticket()
        s.add(t)
        s.flush()
        assert isinstance(t.id, int)
        assert t.status == "open"  # RETURNING where supported, else loaded on access
        s.commit()
    assert t.status == "open"


def test_inspect_instance_history_and_flags(Session: Any) -> None:
    s = Session()
    u = User(name="ivy", fullname="Ivy")
    st = athanor.inspect(u)
    assert st.transient and st.identity is None and not st.modified
    s.add(u)
    assert st.pending and st.attrs.name.history.added == ["ivy"]
    s.commit()
    assert st.persistent and not st.modified
    u.name = "IVY"
    hist = st.attrs.name.history
    assert hist.added == ["IVY"] and hist.deleted == ["ivy"] and st.modified
    assert st.attrs.fullname.history.unchanged == ["Ivy"]
    assert st.unmodified == {"id", "fullname", "password"}
    assert st.attrs.name.value == "IVY"
    assert athanor.inspect(User).attrs.name.column is User.__table__.c.name
    s.close()


def test_flag_modified_writes_a_value_changed_in_place(engine: Any) -> None:
    from athanor import JSON, Column, Integer
    from athanor.orm import attributes, declarative_base, relationship

    Base = declarative_base()  # noqa: N806

    class Doc(Base):
        __tablename__ = "docs"
        id = Column(Integer, primary_key=True)
        data = Column(JSON)
        notes = relationship("Note")

    class Note(Base):
        __tablename__ = "doc_notes"
        id = Column(Integer, primary_key=True)
        doc_id = Column(Integer, athanor.ForeignKey("docs.id"))

    Base.metadata.create_all(engine)
    with sessionmaker(bind=engine)() as s:
        d = Doc(data={"n": 1}, notes=[Note()])
        s.add(d)
        s.commit()
        d.data["n"] = 2  # in place: no assignment announced it
        assert d not in s.dirty
        attributes.flag_modified(d, "data")
        assert d in s.dirty and attributes.get_history(d, "data").added == [{"n": 2}]
        d.notes.append(Note())
        hist = attributes.get_history(d, "notes")
        assert len(hist.added) == 1 and len(hist.unchanged) == 1 and hist.deleted == ()
        s.commit()
        attributes.flag_dirty(d)
        assert d in s.dirty
        s.commit()
        s.expire(d, ["data"])
        with pytest.raises(exc.InvalidRequestError, match="not loaded"):
            attributes.flag_modified(d, "data")
    with sessionmaker(bind=engine)() as s:
        d2 = s.get(Doc, d.id)
        assert d2.data == {"n": 2} and len(d2.notes) == 2
        attributes.set_committed_value(d2, "data", {"n": 9})
        assert d2 not in s.dirty and attributes.instance_state(d2) is athanor.inspect(d2)


def test_deleting_many_objects_in_one_flush(Session: Any, engine: Any) -> None:
    s = Session()
    s.add_all([User(name=f"d{i}") for i in range(1200)])  # more than one DELETE chunk
    s.add(User(name="keep"))
    s.commit()
    for u in s.query(User).filter(User.name != "keep").all():
        s.delete(u)
    s.commit()
    assert _count(engine, "users") == 1
    s.close()


def test_legacy_autocommit_false_is_accepted_and_true_is_refused(engine: Any) -> None:
    maker = sessionmaker(autocommit=False, autoflush=False, bind=engine)  # Flask-era recipe
    with maker() as s:
        assert s.autoflush is False
    with pytest.raises(exc.ArgumentError, match=r"autocommit=True\) is not supported"):
        PlainSession(engine, autocommit=True)


def test_pickled_instance_is_detached_with_its_changes(Session: Any, engine: Any) -> None:
    import pickle

    with Session() as s:
        s.add(User(id=1, name="ada", fullname="Ada L"))
        s.commit()
        u = s.get(User, 1)
        u.fullname = "Ada Lovelace"
        copy = pickle.loads(pickle.dumps(u))
        s.rollback()
    state = athanor.inspect(copy)
    assert state.detached and state.identity == (1,) and copy.fullname == "Ada Lovelace"
    with Session() as s:
        merged = s.merge(copy)
        s.commit()
        assert merged.fullname == "Ada Lovelace"
    with Session() as s:
        assert s.get(User, 1).fullname == "Ada Lovelace"
