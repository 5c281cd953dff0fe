"""The classic SQLAlchemy tutorial's User/Address session, on every backend."""

from __future__ import annotations

from typing import Any

from tests.orm._relmodels import Address, User, session, sql  # noqa: F401 - fixtures

from athanor import func, select
from athanor.orm import joinedload, selectinload

__all__ = ["sql", "session"]


def test_tutorial_session(session: Any, sql: Any) -> None:
    # create users with addresses
    jack = User(name="jack", fullname="Jack Bean")
    assert jack.addresses == []
    jack.addresses = [Address(email="jack@google.com"), Address(email="j25@yahoo.com")]
    assert jack.addresses[1].user is jack  # back_populates keeps both sides in step
    wendy = User(name="wendy", fullname="Wendy Williams")
    Address(email="wendy@x.org", user=wendy)  # the other side appends to the collection
    assert [a.email for a in wendy.addresses] == ["wendy@x.org"]
    session.add_all([jack, wendy])
    assert jack.addresses[0] in session.new  # save-update cascade on add
    session.commit()
    assert jack.addresses[0].user_id == jack.id

    # lazy load after expiry: one SELECT for the user, one for the addresses
    session.expunge_all()
    jack = session.scalars(select(User).where(User.name == "jack")).one()
    sql.clear()
    assert [a.email for a in jack.addresses] == ["jack@google.com", "j25@yahoo.com"]
    assert len(sql.selects()) == 1

    # query with joins and filter on related attributes
    rows = session.execute(
        select(User.name, Address.email).join(User.addresses).order_by(Address.id)).all()
    assert rows == [("jack", "jack@google.com"), ("jack", "j25@yahoo.com"),
                    ("wendy", "wendy@x.org")]
    assert session.query(User).join(User.addresses).filter(
        Address.email == "wendy@x.org").one().name == "wendy"
    assert session.query(User).join(Address).filter(
        Address.email == "j25@yahoo.com").one() is jack
    assert [u.name for u in session.query(User).filter(
        User.addresses.any(Address.email.like("%google%")))] == ["jack"]
    assert [u.name for u in session.query(User).filter(~User.addresses.any()).all()] == []
    assert session.query(Address).filter(Address.user.has(name="wendy")).one().email == \
        "wendy@x.org"
    assert session.query(Address).filter(Address.user == jack).count() == 2
    assert session.query(Address).filter(Address.user != jack).count() == 1
    assert session.query(func.count(Address.id)).join(Address.user).filter(
        User.name == "jack").scalar() == 2

    # eager loading: each strategy costs a fixed number of statements
    for option, expected in ((selectinload(User.addresses), 2), (joinedload(User.addresses), 1)):
        session.expunge_all()
        sql.clear()
        users = session.scalars(select(User).options(option).order_by(User.id)).unique().all()
        assert [len(u.addresses) for u in users] == [2, 1]
        assert len(sql.selects()) == expected

    # delete with cascade
    jack = session.get(User, jack.id)
    session.delete(jack)
    assert session.query(User).filter_by(name="jack").count() == 0
    assert session.query(Address).filter(
        Address.email.in_(["jack@google.com", "j25@yahoo.com"])).count() == 0
    session.commit()
    assert session.scalar(select(func.count()).select_from(Address)) == 1
