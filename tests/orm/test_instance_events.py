"""Instance events (load, refresh, expire, init, init_failure) and @reconstructor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import athanor as sa
from athanor import event, orm


def _models() -> Any:
    class Base(orm.DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "ie_user"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str] = orm.mapped_column(sa.String(20))
        kind: orm.Mapped[str] = orm.mapped_column(sa.String(10), default="user")
        __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "user"}

        @orm.reconstructor
        def init_on_load(self) -> None:
            self.loaded_name = self.name  # the row's values are already there

    class Admin(User):
        __tablename__ = "ie_admin"
        id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("ie_user.id"), primary_key=True)
        level: orm.Mapped[int] = orm.mapped_column(default=1)
        __mapper_args__ = {"polymorphic_identity": "admin"}

    return Base, User, Admin


@pytest.fixture
def models(engine: Any) -> Iterator[Any]:
    Base, User, Admin = _models()
    Base.metadata.create_all(engine)
    with orm.Session(engine) as s:
        s.add_all([User(name="ann"), Admin(name="bob")])
        s.commit()
    yield User, Admin
    Base.metadata.drop_all(engine)


class Listening:
    """Registers listeners and removes them at the end of the test."""

    def __init__(self) -> None:
        self.added: list[tuple[Any, str, Any]] = []

    def __call__(self, target: Any, name: str, fn: Any, **kw: Any) -> Any:
        event.listen(target, name, fn, **kw)
        self.added.append((target, name, fn))
        return fn

    def undo(self) -> None:
        for target, name, fn in self.added:
            if event.contains(target, name, fn):
                event.remove(target, name, fn)


@pytest.fixture
def listen() -> Iterator[Listening]:
    listening = Listening()
    yield listening
    listening.undo()


def test_reconstructor_runs_for_loaded_objects_only(engine: Any, models: Any) -> None:
    User, Admin = models
    fresh = User(name="new")
    assert not hasattr(fresh, "loaded_name")  # not on construction
    with orm.Session(engine) as s:
        users = s.scalars(sa.select(User).order_by(User.id)).all()
        assert [(type(u).__name__, u.loaded_name) for u in users] == [
            ("User", "ann"), ("Admin", "bob")]  # inherited by the subclass
        assert s.get(Admin, 2) is users[1]
    with orm.Session(engine) as s:
        assert s.get(Admin, 2).loaded_name == "bob"


def test_load_listener_with_propagate_and_context(engine: Any, models: Any,
                                                   listen: Listening) -> None:
    User, Admin = models
    seen: list[Any] = []

    def on_load(target: Any, context: Any) -> None:
        seen.append((type(target).__name__, target.name, target.loaded_name,
                     context.session is s))

    listen(User, "load", on_load, propagate=True)
    with orm.Session(engine) as s:
        kept = s.scalars(sa.select(User).order_by(User.id)).all()
        assert s.scalars(sa.select(User).order_by(User.id)).all() == kept  # no new event
        assert seen == [("User", "ann", "ann", True), ("Admin", "bob", "bob", True)]
    seen.clear()
    event.remove(User, "load", on_load)
    listen(User, "load", on_load)  # without propagate: not for Admin rows
    with orm.Session(engine) as s:
        s.get(User, 1)
        s.get(Admin, 2)
    assert seen == [("User", "ann", "ann", True)]


def test_refresh_and_expire_events_follow_sqlalchemy(engine: Any, models: Any,
                                                     listen: Listening) -> None:
    User, _ = models
    seen: list[Any] = []
    listen(User, "refresh", lambda t, ctx, attrs: seen.append(
        ("refresh", sorted(attrs) if attrs is not None else None)))
    listen(User, "expire", lambda t, attrs: seen.append(
        ("expire", sorted(attrs) if attrs is not None else None)))
    with orm.Session(engine) as s:
        u = s.get(User, 1)
        s.expire(u, ["name"])
        assert u.name == "ann"
        s.refresh(u)
        s.refresh(u, ["name"])
        s.expire(u)
        s.get(User, 1, populate_existing=True)
        s.execute(sa.select(User).where(User.id == 1).execution_options(
            populate_existing=True)).all()
        s.commit()
    assert seen == [
        ("expire", ["name"]), ("refresh", ["name"]),
        ("expire", None), ("refresh", None),
        ("expire", ["name"]), ("refresh", ["name"]),
        ("expire", None), ("refresh", None), ("refresh", None),
        ("expire", None),  # commit expires every object
    ]


def test_init_and_init_failure(engine: Any, models: Any, listen: Listening) -> None:
    User, Admin = models
    seen: list[Any] = []

    def on_init(target: Any, args: Any, kwargs: Any) -> None:
        seen.append(("init", type(target).__name__, dict(kwargs)))
        kwargs.setdefault("name", "default")  # the constructor gets the changed kwargs

    listen(User, "init", on_init, propagate=True)
    listen(User, "init_failure", lambda t, a, kw: seen.append(("failure", dict(kw))))
    assert User().name == "default"
    assert Admin(name="x").name == "x"
    with pytest.raises(TypeError):
        User(nope=1)
    assert seen == [("init", "User", {}), ("init", "Admin", {"name": "x"}),
                    ("init", "User", {"nope": 1}), ("failure", {"nope": 1, "name": "default"})]
    event.remove(User, "init", on_init)
    seen.clear()
    assert User(name="y").name == "y" and seen == []
    with orm.Session(engine) as s:  # constructed objects still persist normally
        s.add(User(name="zed"))
        s.commit()
        assert s.scalar(sa.select(sa.func.count()).select_from(User)) == 3


def test_raw_listener_gets_the_instance_state(engine: Any, models: Any,
                                              listen: Listening) -> None:
    User, _ = models
    states: list[Any] = []
    fn = listen(User, "load", lambda state, ctx: states.append(state), raw=True)
    assert event.contains(User, "load", fn)
    with orm.Session(engine) as s:
        u = s.get(User, 1)
    assert states == [sa.inspect(u)]
    event.remove(User, "load", fn)
    assert not event.contains(User, "load", fn)


def test_mapper_target_reaches_every_class(engine: Any, models: Any,
                                           listen: Listening) -> None:
    User, _ = models
    names: list[str] = []
    listen(orm.Mapper, "load", lambda t, ctx: names.append(t.name))
    listen(sa.inspect(User), "expire", lambda t, attrs: names.append("expired"))
    with orm.Session(engine) as s:
        u = s.get(User, 1)
        s.expire(u)
    assert names == ["ann", "expired"]


def test_instance_event_on_a_session_is_refused() -> None:
    with pytest.raises(sa.exc.InvalidRequestError, match="instance event"):
        event.listen(orm.Session, "load", lambda *a: None)
    assert orm.InstanceEvents.__name__ == "InstanceEvents"


def test_refresh_flush_reports_server_generated_values(engine: Any, listen: Listening) -> None:
    class Base(orm.DeclarativeBase):
        pass

    class Stamp(Base):
        __tablename__ = "ie_stamp"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        label: orm.Mapped[str] = orm.mapped_column(sa.String(20), server_default="fresh")
        __mapper_args__ = {"eager_defaults": True}

    Base.metadata.create_all(engine)
    seen: list[Any] = []
    listen(Stamp, "refresh_flush", lambda target, ctx, attrs: seen.append(
        (target.__dict__.get("label"), attrs, type(ctx).__name__)))
    try:
        with orm.Session(engine) as s:
            stamp = Stamp()
            s.add(stamp)
            s.flush()
            assert stamp.label == "fresh"
            s.commit()
        # fired when the INSERT gave the value back (RETURNING); without RETURNING athanor
        # loads it on first access instead (a "refresh" event), even with eager_defaults
        returning = getattr(engine.dialect, "supports_returning", False)
        assert seen == ([("fresh", ["label"], "UOWTransaction")] if returning else [])
    finally:
        Base.metadata.drop_all(engine)
