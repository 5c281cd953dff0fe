"""athanor.ext.mutable: in-place changes of dict/list/set values are flushed."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

from athanor import JSON, ForeignKey, PickleType, String, TypeDecorator, event, exc, inspect, text
from athanor.ext.mutable import Mutable, MutableDict, MutableList, MutableSet
from athanor.orm import DeclarativeBase, Mapped, Session, mapped_column, validates
from athanor.orm.attributes import flag_dirty, flag_modified, get_history


class JSONEncodedDict(TypeDecorator):  # type: ignore[type-arg]
    """The documented example: a dict stored as JSON text."""

    impl = String(200)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return json.dumps(value, sort_keys=True) if value is not None else None

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return json.loads(value) if value is not None else None


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "mut_things"

    id: Mapped[int] = mapped_column(primary_key=True)
    data = mapped_column(MutableDict.as_mutable(JSON))
    tags = mapped_column(MutableList.as_mutable(JSON))
    labels = mapped_column(MutableSet.as_mutable(PickleType))
    plain = mapped_column(JSON)
    name: Mapped[str | None] = mapped_column(String(30))


class Point(Mutable):
    """A hand-written Mutable: a tiny mutable value stored as "x,y" text."""

    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y

    def move(self, dx: int) -> None:
        self.x += dx
        self.changed()

    @classmethod
    def coerce(cls, key: str, value: Any) -> Any:
        if isinstance(value, tuple):
            return cls(*value)
        return value if isinstance(value, cls) else super().coerce(key, value)


class PointType(TypeDecorator):  # type: ignore[type-arg]
    impl = String(30)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return None if value is None else f"{value.x},{value.y}"

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return None if value is None else Point(*map(int, value.split(",")))


class Doc(Base):
    __tablename__ = "mut_docs"

    id: Mapped[int] = mapped_column(primary_key=True)
    meta = mapped_column(JSONEncodedDict)
    spot = mapped_column(PointType)

    @validates("meta")
    def _no_secret(self, key: str, value: Any) -> Any:
        if value and "secret" in value:
            raise ValueError("no secrets")
        return value


MutableDict.associate_with(JSONEncodedDict)
Point.associate_with_attribute(Doc.spot)


class Late(Base):
    """Mapped after associate_with(): its JSONEncodedDict column is tracked too."""

    __tablename__ = "mut_late"

    id: Mapped[int] = mapped_column(primary_key=True)
    info = mapped_column(JSONEncodedDict)


@pytest.fixture
def session(make_session: Any) -> Session:
    return make_session(Base)


def _row(session: Session, sql: str) -> Any:
    return session.execute(text(sql)).one()


def _j(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def test_values_are_coerced_on_construction_assignment_and_load(session: Session) -> None:
    t = Thing(id=1, data={"a": 1}, tags=[1], labels={"x"}, plain={"p": 1})
    assert type(t.data) is MutableDict and type(t.tags) is MutableList
    assert type(t.labels) is MutableSet and type(t.plain) is dict
    session.add(t)
    session.commit()
    session.close()
    loaded = session.get(Thing, 1)
    assert loaded is not None
    assert type(loaded.data) is MutableDict and loaded.data == {"a": 1}
    loaded.data = {"b": 2}
    assert type(loaded.data) is MutableDict


def test_dict_item_changes_are_flushed(session: Session) -> None:
    session.add(Thing(id=1, data={"a": 1}))
    session.commit()
    t = session.get(Thing, 1)
    assert t is not None
    t.data["b"] = 2
    assert t in session.dirty and session.is_modified(t)
    assert list(get_history(t, "data").added) == [{"a": 1, "b": 2}]
    session.commit()
    assert _j(_row(session, "SELECT data FROM mut_things")[0]) == {"a": 1, "b": 2}
    del t.data["a"]
    session.commit()
    t.data.update(c=3)
    t.data.setdefault("d", 4)
    session.commit()
    assert _j(_row(session, "SELECT data FROM mut_things")[0]) == {"b": 2, "c": 3, "d": 4}
    assert t.data.pop("b") == 2
    t.data.popitem()
    session.commit()
    t.data.clear()
    session.commit()
    assert _j(_row(session, "SELECT data FROM mut_things")[0]) == {}


def test_list_changes_are_flushed_in_order(session: Session) -> None:
    session.add(Thing(id=1, tags=[3]))
    session.commit()
    session.close()
    t = session.get(Thing, 1)
    assert t is not None
    t.tags.append(1)
    t.tags.extend([5, 4])
    t.tags.insert(0, 9)
    t.tags += [0]
    session.commit()
    assert _j(_row(session, "SELECT tags FROM mut_things")[0]) == [9, 3, 1, 5, 4, 0]
    t.tags.remove(9)
    t.tags.pop()
    t.tags.sort()
    t.tags[0] = 7
    del t.tags[-1]
    session.commit()
    assert _j(_row(session, "SELECT tags FROM mut_things")[0]) == [7, 3, 4]
    t.tags.reverse()
    session.commit()
    assert _j(_row(session, "SELECT tags FROM mut_things")[0]) == [4, 3, 7]


def test_set_changes_are_flushed(session: Session) -> None:
    session.add(Thing(id=1, labels={"a", "b"}))
    session.commit()
    session.close()
    t = session.get(Thing, 1)
    assert t is not None
    t.labels.add("c")
    t.labels.discard("a")
    t.labels |= {"d"}
    t.labels -= {"b"}
    session.commit()
    session.close()
    t = session.get(Thing, 1)
    assert t is not None and t.labels == {"c", "d"}


def test_nested_and_untracked_changes_are_not_seen(session: Session) -> None:
    session.add(Thing(id=1, data={"n": {"deep": 1}}, plain={"p": 1}))
    session.commit()
    t = session.get(Thing, 1)
    assert t is not None
    t.data["n"]["deep"] = 2  # only the top level is tracked, as in SQLAlchemy
    t.plain["p"] = 2  # a plain JSON column does not track at all
    assert t not in session.dirty
    session.commit()
    row = _row(session, "SELECT data, plain FROM mut_things")
    assert _j(row[0]) == {"n": {"deep": 1}} and _j(row[1]) == {"p": 1}


def test_one_update_statement_per_flush(engine: Any, session: Session) -> None:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cur, stmt, params, ctx, many: seen.append(stmt))
    session.add(Thing(id=1, data={}, name="x"))
    session.commit()
    t = session.get(Thing, 1)
    assert t is not None
    t.data["a"] = 1
    t.data["b"] = 2
    t.name = "y"
    session.flush()
    updates = [s for s in seen if s.startswith("UPDATE")]
    assert len(updates) == 1 and "data" in updates[0] and "name" in updates[0]


def test_assignment_of_wrong_type_raises_valueerror(session: Session) -> None:
    with pytest.raises(ValueError, match="'data'.*'int'"):
        Thing(id=1, data=5)
    t = Thing(id=1)
    with pytest.raises(ValueError):
        t.tags = "abc"
    t.data = None
    assert t.data is None


def test_replaced_value_no_longer_marks_the_parent(session: Session) -> None:
    session.add(Thing(id=1, data={"a": 1}))
    session.commit()
    t = session.get(Thing, 1)
    assert t is not None
    old = t.data
    t.data = {"b": 1}
    session.commit()
    old["c"] = 3
    assert t not in session.dirty


def test_value_shared_by_two_parents_marks_both(session: Session) -> None:
    session.add_all([Thing(id=1), Thing(id=2)])
    session.commit()
    a, b = session.get(Thing, 1), session.get(Thing, 2)
    shared = MutableDict({"s": 1})
    a.data = shared  # type: ignore[union-attr]
    b.data = shared  # type: ignore[union-attr]
    session.flush()
    shared["t"] = 2
    assert a in session.dirty and b in session.dirty
    session.commit()
    rows = session.execute(text("SELECT data FROM mut_things ORDER BY id")).scalars().all()
    assert [_j(r) for r in rows] == [{"s": 1, "t": 2}] * 2


def test_change_to_a_value_held_across_expiry_raises(session: Session) -> None:
    session.add(Thing(id=1, data={}))
    session.commit()
    t = session.get(Thing, 1)
    assert t is not None
    held = t.data
    session.commit()  # expires t: the held dict is no longer its value
    with pytest.raises(exc.InvalidRequestError, match="not loaded"):
        held["k"] = 1


def test_pickled_values_keep_their_class_and_not_their_parents(session: Session) -> None:
    session.add(Thing(id=1, data={"a": 1}, tags=[1, 2], labels={"z"}))
    session.commit()
    t = session.get(Thing, 1)
    assert t is not None
    for value in (t.data, t.tags, t.labels):
        copy = pickle.loads(pickle.dumps(value))
        assert type(copy) is type(value) and copy == value
        assert len(copy._parents) == 0 and len(value._parents) == 1
    t.data = pickle.loads(pickle.dumps(t.data))
    t.data["b"] = 2
    session.commit()
    assert _j(_row(session, "SELECT data FROM mut_things")[0]) == {"a": 1, "b": 2}


def test_associate_with_type_class_and_custom_mutable(session: Session) -> None:
    session.add_all([Doc(id=1, meta={"a": 1}, spot=(1, 2)), Late(id=1, info={"x": 1})])
    session.commit()
    session.close()
    d, late = session.get(Doc, 1), session.get(Late, 1)
    assert d is not None and late is not None
    assert type(d.meta) is MutableDict and type(late.info) is MutableDict
    assert isinstance(d.spot, Point)
    d.meta["b"] = 2
    d.spot.move(5)
    late.info["y"] = 2
    session.commit()
    assert _row(session, "SELECT meta, spot FROM mut_docs") == ('{"a": 1, "b": 2}', "6,2")
    assert _row(session, "SELECT info FROM mut_late")[0] == '{"x": 1, "y": 2}'


def test_user_validator_still_runs_before_coercion(session: Session) -> None:
    with pytest.raises(ValueError, match="no secrets"):
        Doc(id=1, meta={"secret": 1})
    d = Doc(id=1, meta={"ok": 1})
    assert type(d.meta) is MutableDict


def test_flag_modified_and_flag_dirty(session: Session) -> None:
    session.add(Thing(id=1, plain={"p": 1}, name="n"))
    session.commit()
    t = session.get(Thing, 1)
    assert t is not None
    t.plain["p"] = 2
    flag_modified(t, "plain")
    session.commit()
    assert _j(_row(session, "SELECT plain FROM mut_things")[0]) == {"p": 2}
    with pytest.raises(exc.InvalidRequestError, match="nope"):
        flag_modified(t, "nope")
    t2 = session.get(Thing, 1)
    assert t2 is not None
    flag_dirty(t2)
    assert t2 in session.dirty
    session.commit()


def test_pickled_parent_comes_back_detached_and_still_tracks(session: Session) -> None:
    session.add(Thing(id=1, data={"a": 1}, name="x"))
    session.commit()
    t = session.get(Thing, 1)
    assert t is not None
    assert t.data == {"a": 1}
    t.name = "changed"  # an unflushed change travels with the object
    blob = pickle.dumps(t)
    session.rollback()
    session.close()
    copy = pickle.loads(blob)
    assert inspect(copy).detached and copy.name == "changed"
    assert type(copy.data) is MutableDict
    session.add(copy)
    assert copy in session.dirty
    copy.data["b"] = 2
    session.commit()
    row = _row(session, "SELECT data, name FROM mut_things")
    assert _j(row[0]) == {"a": 1, "b": 2} and row[1] == "changed"


class InhBase(DeclarativeBase):
    pass


class Entry(InhBase):
    __tablename__ = "mut_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    data: Mapped[dict[str, Any]] = mapped_column(MutableDict.as_mutable(JSON))
    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "entry"}


class Memo(Entry):  # single-table subclass
    __mapper_args__ = {"polymorphic_identity": "memo"}


class Letter(Entry):  # joined-table subclass
    __tablename__ = "mut_letters"

    id: Mapped[int] = mapped_column(ForeignKey("mut_entries.id"), primary_key=True)
    __mapper_args__ = {"polymorphic_identity": "letter"}


def test_inherited_mutable_columns_are_tracked_on_subclasses(make_session: Any) -> None:
    session = make_session(InhBase)
    session.add_all([Entry(id=1, data={}), Memo(id=2, data={}), Letter(id=3, data={})])
    session.commit()
    session.close()
    for i in (1, 2, 3):
        entry = session.get(Entry, i)
        assert entry is not None and type(entry.data) is MutableDict
        entry.data["n"] = i
    session.commit()
    rows = session.execute(text("SELECT data FROM mut_entries ORDER BY id")).scalars().all()
    assert [_j(r) for r in rows] == [{"n": 1}, {"n": 2}, {"n": 3}]
