"""The seed's "normal session" program, as written apart from imports, on every backend."""

from __future__ import annotations

from typing import Any

import pytest

from athanor import Column, Integer, String, create_engine, text
from athanor.ext.declarative import declarative_base
from athanor.orm import sessionmaker
from athanor.orm.exc import FlushError


def _build(url: str) -> dict[str, Any]:
    engine = create_engine(url)

    Session = sessionmaker()  # noqa: N806
    Session.configure(bind=engine)  # once engine is available

    Base = declarative_base()  # noqa: N806

    class Customer(Base):
        __tablename__ = "customer"

        id = Column(String(20), primary_key=True)
        name = Column(String(16))
        phone = Column(String(12))
        address = Column(String(125))

        def __repr__(self) -> str:
            return "<User('%s', '%s')>" % (self.name, self.phone)  # noqa: UP031 - the seed's

    class User(Base):
        __tablename__ = "users"

        id = Column(Integer, primary_key=True)
        name = Column(String(50))
        fullname = Column(String(50))
        password = Column(String(12))

    class Widget(Base):
        __tablename__ = "widget"

        id = Column(Integer, primary_key=True)
        q = Column(Integer)

    Base.metadata.create_all(engine)
    return {
        "engine": engine,
        "Session": Session,
        "Customer": Customer,
        "User": User,
        "Widget": Widget,
    }


def _count(engine: Any, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()


def test_seed_normal_session_missing_customer_key_is_reported(backend_url: str) -> None:
    env = _build(backend_url)
    Session, Customer, User = env["Session"], env["Customer"], env["User"]  # noqa: N806
    engine = env["engine"]
    try:
        session = Session()
        myobject = Customer(name="dave", phone="416-223-8652", address="9 King ST")
        session.add(myobject)
        session.add_all(
            [
                User(name="wendy", fullname="Wendy Williams", password="foobar"),
                User(name="mary", fullname="Mary Contrary", password="xxg527"),
                User(name="fred", fullname="Fred Flinstone", password="blah"),
            ]
        )
        with pytest.raises(FlushError) as info:
            session.commit()
        assert "Customer" in str(info.value) and "'id'" in str(info.value)
        session.rollback()
        session.close()
        assert _count(engine, "customer") == 0 and _count(engine, "users") == 0
        assert repr(myobject) == "<User('dave', '416-223-8652')>"
    finally:
        engine.dispose()


def test_seed_normal_session_with_key_commits(backend_url: str) -> None:
    env = _build(backend_url)
    Session, Customer, User = env["Session"], env["Customer"], env["User"]  # noqa: N806
    engine = env["engine"]
    try:
        session = Session()
        myobject = Customer(id="c1", name="dave", phone="416-223-8652", address="9 King ST")
        session.add(myobject)
        session.add_all(
            [
                User(name="wendy", fullname="Wendy Williams", password="foobar"),
                User(name="mary", fullname="Mary Contrary", password="xxg527"),
                User(name="fred", fullname="Fred Flinstone", password="blah"),
            ]
        )
        session.commit()
        session.close()
        assert _count(engine, "customer") == 1 and _count(engine, "users") == 3
        assert myobject.name == "dave"  # readable after commit + close
    finally:
        engine.dispose()


def test_seed_run_my_program(backend_url: str) -> None:
    env = _build(backend_url)
    Session, Widget, User = env["Session"], env["Widget"], env["User"]  # noqa: N806
    engine = env["engine"]

    class ThingOne:
        def go(self, session: Any) -> None:
            session.add_all([Widget(q=1), Widget(q=2)])
            session.add(User(name="thing-one"))

    class ThingTwo:
        def go(self, session: Any) -> None:
            session.query(Widget).update({"q": 18})

    def run_my_program() -> None:
        session = Session()
        try:
            ThingOne().go(session)
            ThingTwo().go(session)

            session.commit()
        except:  # noqa: E722 - verbatim from the seed
            session.rollback()
            raise
        finally:
            session.close()

    try:
        run_my_program()
        with engine.connect() as conn:
            assert [r[0] for r in conn.execute(text("SELECT q FROM widget"))] == [18, 18]

        class Broken(ThingTwo):
            def go(self, session: Any) -> None:
                super().go(session)
                session.add(User(id=1000, name="duplicate of an existing key"))
                session.flush()

        ThingTwo = Broken  # noqa: N806 - rerun the program with a failing second step
        session = Session()
        session.add(User(id=1000, name="existing"))
        session.commit()
        session.close()
        with pytest.raises(Exception):  # noqa: B017 - the driver's IntegrityError, re-raised
            run_my_program()
        assert _count(engine, "widget") == 2  # the failed run's widgets were rolled back
        assert engine.pool.checkedout() == 0
    finally:
        engine.dispose()
