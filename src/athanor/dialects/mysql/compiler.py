"""MySQL's SQL spelling: placeholder until the SQL layer lands its compilers (owner: SQL layer)."""

from __future__ import annotations


class MySQLCompiler:
    pass


class MySQLDDLCompiler:
    pass


class MySQLTypeCompiler:
    pass
