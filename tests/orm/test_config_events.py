"""Mapper configuration events (instrument_class, before_/mapper_configured,
before_/after_configured) and clear_mappers()."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import athanor as sa
from athanor import event, orm


def test_configure_events_fire_once_per_new_mapper() -> None:
    log: list[Any] = []

    def before() -> None:
        log.append("before_configured")

    def after() -> None:
        log.append("after_configured")

    event.listen(orm.Mapper, "before_configured", before)
    event.listen(orm.Mapper, "after_configured", after)
    try:
        class Base(orm.DeclarativeBase):
            pass

        @event.listens_for(Base, "instrument_class", propagate=True)
        def instrument(mapper: Any, cls: type) -> None:
            log.append(("instrument_class", cls.__name__, isinstance(mapper, orm.Mapper)))

        @event.listens_for(Base, "before_mapper_configured", propagate=True)
        def before_mapper(mapper: Any, cls: type) -> None:
            log.append(("before_mapper_configured", cls.__name__, mapper.configured))

        @event.listens_for(Base, "mapper_configured", propagate=True)
        def configured(mapper: Any, cls: type) -> None:
            log.append(("mapper_configured", cls.__name__, sorted(mapper.relationships.keys()),
                        mapper.configured))

        class Parent(Base):
            __tablename__ = "cfg_parent"
            id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
            children: orm.Mapped[list[Child]] = orm.relationship(back_populates="parent")

        log.append("--Parent")

        class Child(Base):
            __tablename__ = "cfg_child"
            id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
            parent_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("cfg_parent.id"))
            parent: orm.Mapped[Parent] = orm.relationship(back_populates="children")

        log.append("--Child")
        Parent()  # the first construction runs the pending configure pass
        log.append("--constructed")
        orm.configure_mappers()  # nothing left to configure
        log.append("--configure_mappers")
        assert log == [
            ("instrument_class", "Parent", True), "--Parent",
            ("instrument_class", "Child", True), "--Child",
            "before_configured",
            ("before_mapper_configured", "Parent", False),
            ("mapper_configured", "Parent", ["children"], True),
            ("before_mapper_configured", "Child", False),
            ("mapper_configured", "Child", ["parent"], True),
            "after_configured",
            "--constructed", "--configure_mappers",
        ]
        assert event.contains(Base, "mapper_configured", configured)
        event.remove(Base, "mapper_configured", configured)
        assert not event.contains(Base, "mapper_configured", configured)
    finally:
        event.remove(orm.Mapper, "before_configured", before)
        event.remove(orm.Mapper, "after_configured", after)


def test_mapper_configured_on_a_mapped_class_and_via_registry_configure() -> None:
    class Base(orm.DeclarativeBase):
        pass

    seen: list[str] = []

    class Thing(Base):
        __tablename__ = "cfg_thing"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)

    event.listen(Thing, "mapper_configured", lambda m, cls: seen.append(cls.__name__))
    Base.registry.configure()
    Base.registry.configure()
    assert seen == ["Thing"]


def test_clear_mappers_unmaps_every_class() -> None:
    # in a fresh interpreter: clear_mappers() unmaps every class of the process
    program = textwrap.dedent("""
        import athanor as sa
        from athanor import orm

        class Base(orm.DeclarativeBase):
            pass

        class User(Base):
            __tablename__ = "users"
            id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
            name: orm.Mapped[str] = orm.mapped_column(sa.String(20))
            @orm.validates("name")
            def check(self, key, value):
                return value

        engine = sa.create_engine("sqlite://")
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add(User(name="a"))
            s.commit()
        orm.clear_mappers()
        try:
            sa.inspect(User)
        except sa.exc.NoInspectionAvailable:
            print("unmapped")
        print(hasattr(User, "name"), hasattr(User, "__mapper__"))
        u = User()
        u.name = "plain"
        print(u.__dict__)
        User.__table__  # the table stays, as it belongs to the MetaData
    """)
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[:3] == ["unmapped", "False False", "{'name': 'plain'}"]
