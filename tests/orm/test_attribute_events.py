"""Attribute events (set, append, remove, init_scalar, init_collection, modified) and
flag_modified(), with SQLAlchemy's listener signatures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import athanor as sa
from athanor import event, orm
from athanor.orm.attributes import NO_VALUE, flag_modified


def _models() -> Any:
    class Base(orm.DeclarativeBase):
        pass

    class Parent(Base):
        __tablename__ = "ae_parent"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))
        note: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))
        kind: orm.Mapped[str] = orm.mapped_column(sa.String(10), default="parent")
        children: orm.Mapped[list[Child]] = orm.relationship(back_populates="parent")
        __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "parent"}

        @orm.validates("note")
        def check_note(self, key: str, value: Any) -> Any:
            return value.strip() if isinstance(value, str) else value

    class Special(Parent):
        __mapper_args__ = {"polymorphic_identity": "special"}

    class Child(Base):
        __tablename__ = "ae_child"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))
        parent_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("ae_parent.id"))
        parent: orm.Mapped[Parent | None] = orm.relationship(back_populates="children")

    return Base, Parent, Special, Child


@pytest.fixture
def models(engine: Any) -> Iterator[Any]:
    Base, Parent, Special, Child = _models()
    Base.metadata.create_all(engine)
    yield Parent, Special, Child
    Base.metadata.drop_all(engine)


def _name(v: Any) -> Any:
    if v is NO_VALUE:
        return "NO_VALUE"
    if hasattr(v, "__mapper__"):
        return f"{type(v).__name__}:{v.__dict__.get('name')}"
    return v


def test_set_listener_sees_old_values_and_may_replace_the_value(engine: Any,
                                                                 models: Any) -> None:
    Parent, Special, _ = models
    seen: list[Any] = []

    def upper(target: Any, value: Any, old: Any, initiator: Any) -> Any:
        seen.append((type(target).__name__, value, _name(old), initiator.key, initiator.op))
        return value.upper()

    event.listen(Parent.name, "set", upper, retval=True, propagate=True)
    try:
        p = Parent(name="ann")  # the constructor's assignment too
        p.name = "bob"
        s = Special(name="sue")
        assert (p.name, s.name) == ("BOB", "SUE")
        with orm.Session(engine) as session:
            session.add_all([p, s])
            session.commit()
            p.name = "carl"  # expired by the commit: no old value without active_history
            session.commit()
            assert session.scalar(sa.select(Parent.name).where(Parent.id == p.id)) == "CARL"
        assert seen == [
            ("Parent", "ann", "NO_VALUE", "name", "set"),
            ("Parent", "bob", "ANN", "name", "set"),
            ("Special", "sue", "NO_VALUE", "name", "set"),
            ("Parent", "carl", "NO_VALUE", "name", "set"),
        ]
        assert event.contains(Parent.name, "set", upper)
    finally:
        event.remove(Parent.name, "set", upper)
    assert not event.contains(Parent.name, "set", upper)
    p.name = "dan"
    assert p.name == "dan"


def test_active_history_loads_the_old_value_and_validators_run_first(engine: Any,
                                                                      models: Any) -> None:
    Parent, _, _ = models
    seen: list[Any] = []
    fn = event.listens_for(Parent.note, "set", active_history=True)(
        lambda target, value, old, initiator: seen.append((value, old)))
    try:
        with orm.Session(engine) as session:
            p = Parent(note=" first ")
            session.add(p)
            session.commit()
            p.note = " second "
            assert p.note == "second"
        assert seen == [("first", NO_VALUE), ("second", "first")]
    finally:
        event.remove(Parent.note, "set", fn)


def test_init_scalar_supplies_a_default_for_new_objects(models: Any) -> None:
    Parent, _, _ = models

    def default(target: Any, value: Any, dict_: Any) -> Any:
        dict_["note"] = "dflt"
        return "dflt"

    event.listen(Parent.note, "init_scalar", default, retval=True)
    try:
        p = Parent()
        assert p.note == "dflt" and p.__dict__["note"] == "dflt"
        assert Parent(note="given").note == "given"
    finally:
        event.remove(Parent.note, "init_scalar", default)
    assert Parent().note is None


def test_collection_and_backref_events(engine: Any, models: Any) -> None:
    Parent, _, Child = models
    seen: list[Any] = []

    def on_append(target: Any, value: Any, initiator: Any) -> Any:
        seen.append(("append", _name(target), _name(value), initiator.op))
        return value

    def on_remove(target: Any, value: Any, initiator: Any) -> None:
        seen.append(("remove", _name(target), _name(value)))

    def on_init(target: Any, collection: Any, adapter: Any) -> None:
        seen.append(("init_collection", _name(target), type(collection).__name__))

    def on_parent(target: Any, value: Any, old: Any, initiator: Any) -> None:
        seen.append(("set parent", _name(target), _name(value), _name(old)))

    listeners = [(Parent.children, "append", on_append), (Parent.children, "remove", on_remove),
                 (Parent.children, "init_collection", on_init), (Child.parent, "set", on_parent)]
    for target, name, fn in listeners:
        event.listen(target, name, fn, retval=name == "append")
    try:
        p = Parent(name="p")
        c1, c2, c3 = Child(name="c1"), Child(name="c2"), Child(name="c3")
        p.children.append(c1)
        p.children = [c2]
        c3.parent = p
        p.children.remove(c3)
        with orm.Session(engine) as session:
            session.add(p)
            session.commit()
            session.expunge_all()
            loaded = session.get(Parent, p.id)
            assert [c.name for c in loaded.children] == ["c2"]
    finally:
        for target, name, fn in listeners:
            event.remove(target, name, fn)
    assert seen == [
        ("init_collection", "Parent:p", "InstrumentedList"),
        ("append", "Parent:p", "Child:c1", "append"),
        ("set parent", "Child:c1", "Parent:p", "NO_VALUE"),
        ("init_collection", "Parent:p", "InstrumentedList"),
        ("append", "Parent:p", "Child:c2", "append"),
        ("set parent", "Child:c2", "Parent:p", "NO_VALUE"),
        ("remove", "Parent:p", "Child:c1"),
        ("set parent", "Child:c1", None, "Parent:p"),
        ("set parent", "Child:c3", "Parent:p", "NO_VALUE"),
        ("append", "Parent:p", "Child:c3", "append"),
        ("remove", "Parent:p", "Child:c3"),
        ("set parent", "Child:c3", None, "Parent:p"),
        # the lazy load of the fresh object's collection
        ("init_collection", "Parent:p", "InstrumentedList"),
    ]


def test_append_retval_replaces_the_member(models: Any) -> None:
    Parent, _, Child = models
    swap = Child(name="swapped")
    fn = event.listens_for(Parent.children, "append", retval=True)(
        lambda target, value, initiator: swap)
    try:
        p = Parent()
        p.children.append(Child(name="original"))
        assert [c.name for c in p.children] == ["swapped"]
        assert swap.parent is p
    finally:
        event.remove(Parent.children, "append", fn)


def test_flag_modified_writes_an_in_place_change_and_fires_modified(engine: Any,
                                                                    models: Any) -> None:
    Parent, _, _ = models
    seen: list[Any] = []
    fn = event.listens_for(Parent.name, "modified")(
        lambda target, initiator: seen.append((target.name, initiator.op)))
    try:
        with orm.Session(engine) as session:
            p = Parent(name="a")
            session.add(p)
            session.commit()
            p.__dict__["name"] = "in place"
            assert not session.dirty
            flag_modified(p, "name")
            assert session.dirty == [p]
            session.commit()
            assert session.scalar(sa.select(Parent.name)) == "in place"
            session.expire(p, ["note"])
            with pytest.raises(sa.exc.InvalidRequestError, match="not loaded"):
                flag_modified(p, "note")
        assert seen == [("in place", "modified")]
    finally:
        event.remove(Parent.name, "modified", fn)


def test_unknown_attribute_event_is_refused(models: Any) -> None:
    Parent, _, _ = models
    with pytest.raises(sa.exc.InvalidRequestError, match="attribute events"):
        event.listen(Parent.name, "before_insert", lambda *a: None)
