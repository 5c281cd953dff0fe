"""Words that must be quoted when used as identifiers on any of the supported databases.

One shared list (the union of the SQL standard's reserved words that SQLite, PostgreSQL and
MariaDB actually reserve): quoting a name on a database that would have accepted it bare
is harmless, and one list keeps the rendered SQL the same across dialects.
"""

from __future__ import annotations

_WORDS = """
    accessible add all alter analyze and any array as asc asensitive asymmetric authorization
    before between bigint binary blob both by call cascade case cast change char character
    check collate column condition constraint continue convert create cross current_date
    current_role current_time current_timestamp current_user cursor database databases
    day_hour day_microsecond day_minute day_second dec decimal declare default deferrable
    delayed delete desc describe deterministic distinct distinctrow div do double drop dual
    each else elseif enclosed end escape escaped except exists exit explain false fetch float
    for force foreign freeze from full fulltext function glob grant group having high_priority
    hour_microsecond hour_minute hour_second if ignore ilike in index infile initially inner
    inout insensitive insert int integer intersect interval into is isnull iterate join key
    keys kill lateral leading leave left like limit linear lines load localtime
    localtimestamp lock long loop low_priority match natural no not notnull null numeric
    offset on only optimize option optionally or order out outer outfile over partition
    placing precision primary procedure purge range read reads real recursive references
    regexp release rename repeat replace require restrict return returning revoke right
    rlike row rows schema schemas select sensitive separator session_user set show similar
    smallint some spatial specific sql sqlexception sqlstate sqlwarning ssl starting
    symmetric table tablesample terminated then to trailing transaction trigger true union
    unique unlock unsigned until update usage use user using values varchar varying verbose
    when where while window with write xor year_month zerofill
"""
RESERVED_WORDS: frozenset[str] = frozenset(_WORDS.split())


class quoted_name(str):  # noqa: N801 - SQLAlchemy's public name
    """An identifier with its quoting decided: ``quoted_name("MyTable", True)`` is always
    quoted (keeping its case), ``quote=False`` never, ``None`` by the usual rule (quote only
    reserved words and names that are not all lower case)."""

    quote: bool | None

    def __new__(cls, value: str, quote: bool | None = None) -> quoted_name:
        if isinstance(value, quoted_name) and quote is None:
            return value
        self = super().__new__(cls, value)
        self.quote = quote
        return self

    def __repr__(self) -> str:
        return f"quoted_name({str.__repr__(self)}, quote={self.quote!r})"


class conv(quoted_name):  # noqa: N801 - SQLAlchemy's public name
    """A constraint or index name that is final: the MetaData's naming convention is not
    applied to it (``CheckConstraint("x > 0", name=conv("ck_x_positive"))``)."""
