"""The seed's "Thread local session" program, run as written apart from imports.

The program text below is the seed's, with ``sqlalchemy`` imports changed to ``athanor`` (and
the two names it uses without importing, ``Column`` and ``String``, imported). Like any program
it runs against a database of its own: the engine URL is the test backend's, and the
``customer`` table it expects is created first, exactly as its model declares it.

The seed's ``Customer(name='dave', ...)`` gives no value for the ``id`` primary key (a
``String(20)`` with no default), so its final ``commit()`` cannot store the row: the test checks
that this is reported as a clear error naming the fix, with nothing written, and then runs the
program once more with an id given, which stores the row.
"""

from __future__ import annotations

from typing import Any

import pytest

from athanor import create_engine, text
from athanor.orm.exc import FlushError

PROGRAM = '''
from athanor import create_engine
from athanor import Column, String
from athanor.orm import scoped_session, sessionmaker
from athanor.ext.declarative import declarative_base

engine = create_engine('mysql://root:justdoit@localhost/pytest')
session_factory  = sessionmaker(bind=engine)
Session = scoped_session(session_factory)
Base = declarative_base()

Base.query = Session.query_property()

class Customer(Base):
    __tablename__ = 'customer'

    id = Column(String(20), primary_key=True)
    name = Column(String(16))
    phone = Column(String(12))
    address = Column(String(125))

    def __repr__(self):
        return "<User('%s', '%s')>" % (self.name, self.phone)

# get singleton session
session1 = Session()
session2 = Session()
# (session1 is session2) returns true

# remove session when web request termiates
session1.remove()

myobject = Customer(name='dave', phone='416-223-8652', address='9 King ST')
session2.add(myobject)
session2.commit()
'''

SEED_URL = "'mysql://root:justdoit@localhost/pytest'"


def _create_customer_table(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            "CREATE TABLE customer (id VARCHAR(20) NOT NULL PRIMARY KEY, name VARCHAR(16), "
            "phone VARCHAR(12), address VARCHAR(125))"
        ))
    engine.dispose()


def _run(program: str, url: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "seed_program"}
    exec(compile(program.replace(SEED_URL, repr(url)), "<seed>", "exec"), namespace)
    return namespace


def _rows(url: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        result = conn.execute(text("SELECT id, name, phone, address FROM customer"))
        rows = [tuple(r) for r in result]
    engine.dispose()
    return rows


def test_seed_program_as_written(backend_url: str) -> None:
    _create_customer_table(backend_url)
    namespace: dict[str, Any] = {"__name__": "seed_program"}
    source = PROGRAM.replace(SEED_URL, repr(backend_url))
    head, tail = source.split("session2.commit()")
    exec(compile(head, "<seed>", "exec"), namespace)
    try:
        assert namespace["session1"] is namespace["session2"]
        Session = namespace["Session"]
        assert not Session.has()  # session1.remove() forgot it
        assert Session() is not namespace["session1"]
        with pytest.raises(FlushError, match="primary key column 'id'") as info:
            exec(compile("session2.commit()", "<seed>", "exec"), namespace)
        assert "Set Customer.id" in str(info.value)  # the message names the fix
        assert "416-223-8652" not in str(info.value)  # and holds no row values
        namespace["session2"].rollback()
        assert _rows(backend_url) == []
    finally:
        namespace["Session"].remove()
        namespace["session2"].close()
        namespace["engine"].dispose()


def test_seed_program_with_an_id_stores_the_row(backend_url: str) -> None:
    _create_customer_table(backend_url)
    program = PROGRAM.replace("Customer(name='dave'", "Customer(id='dave', name='dave'")
    namespace = _run(program, backend_url)
    try:
        assert namespace["session1"] is namespace["session2"]
        assert _rows(backend_url) == [("dave", "dave", "416-223-8652", "9 King ST")]
        Customer = namespace["Customer"]
        found = Customer.query.filter_by(phone="416-223-8652").one()
        assert repr(found) == "<User('dave', '416-223-8652')>"
        engine = namespace["engine"]
        namespace["Session"].remove()
        assert engine.pool.checkedout() == 0
    finally:
        namespace["Session"].remove()
        namespace["engine"].dispose()
