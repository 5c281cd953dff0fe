"""make_url / URL: parsing, escaping, SQLite forms, hidden passwords, copies."""

from __future__ import annotations

import pytest

from athanor import exc
from athanor.url import URL, make_url


def test_full_url_parts() -> None:
    url = make_url("postgresql+psycopg://scott:tiger@db.example.com:5433/shop?sslmode=require")
    assert url.drivername == "postgresql+psycopg"
    assert url.get_backend_name() == "postgresql"
    assert url.get_driver_name() == "psycopg"
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "scott", "tiger", "db.example.com", 5433, "shop",
    )
    assert url.query == {"sslmode": "require"}


def test_default_driver_names() -> None:
    assert make_url("postgresql://h/db").get_driver_name() == "psycopg"
    assert make_url("mysql://h/db").get_driver_name() == "pymysql"
    assert make_url("mariadb://h/db").get_driver_name() == "pymysql"


def test_percent_escaped_password_round_trips() -> None:
    url = make_url("mysql://user:p%40ss%3Aw%2Ford@localhost/db")
    assert url.password == "p@ss:w/ord"
    assert make_url(url.render_as_string(hide_password=False)) == url


def test_unescaped_at_in_password_splits_on_last_at() -> None:
    url = make_url("postgresql://u:p@ss@host/db")
    assert (url.username, url.password, url.host) == ("u", "p@ss", "host")


@pytest.mark.parametrize(
    ("text", "database"),
    [
        ("sqlite://", None),
        ("sqlite:///:memory:", ":memory:"),
        ("sqlite:///relative.db", "relative.db"),
        ("sqlite:///sub/dir/file.db", "sub/dir/file.db"),
        ("sqlite:////abs/path.db", "/abs/path.db"),
    ],
)
def test_sqlite_forms(text: str, database: str | None) -> None:
    url = make_url(text)
    assert url.database == database
    assert url.host is None
    assert str(url) == text


def test_password_hidden_in_repr_and_str() -> None:
    url = make_url("postgresql://scott:tiger@localhost/db")
    assert "tiger" not in repr(url)
    assert "tiger" not in str(url)
    assert "***" in repr(url)
    assert url.render_as_string(hide_password=False) == "postgresql://scott:tiger@localhost/db"


def test_create_escapes_when_rendering() -> None:
    url = URL.create("postgresql", username="a b", password="x@y/z", host="h", database="d")
    text = url.render_as_string(hide_password=False)
    assert make_url(text) == url
    assert url.password == "x@y/z"


def test_set_and_query_copies_leave_original_alone() -> None:
    url = make_url("mysql://u@h/db?charset=utf8mb4")
    changed = url.set(database="other", port=3307)
    assert (changed.database, changed.port) == ("other", 3307)
    assert url.database == "db"
    assert url.update_query_dict({"a": "1"}).query == {"charset": "utf8mb4", "a": "1"}
    assert url.difference_update_query(["charset"]).query == {}
    assert url.update_query_string("x=1&x=2").query["x"] == ("1", "2")


def test_url_is_hashable_and_query_read_only() -> None:
    url = make_url("mysql://u@h/db?a=1")
    assert hash(url) == hash(make_url("mysql://u@h/db?a=1"))
    with pytest.raises(TypeError):
        url.query["a"] = "2"  # type: ignore[index]


def test_ipv6_host() -> None:
    url = make_url("postgresql://u@[::1]:5432/db")
    assert (url.host, url.port) == ("::1", 5432)
    assert str(url) == "postgresql://u@[::1]:5432/db"


@pytest.mark.parametrize("bad", ["not a url", "postgresql://h:port/db", "://x"])
def test_bad_urls_raise_argument_error(bad: str) -> None:
    with pytest.raises(exc.ArgumentError):
        make_url(bad)


def test_translate_connect_args() -> None:
    url = make_url("postgresql://u:p@h:1/db")
    assert url.translate_connect_args(database="dbname", username="user") == {
        "host": "h", "dbname": "db", "user": "u", "password": "p", "port": 1,
    }
