"""PostgreSQL's SQL spelling: placeholder until the SQL layer lands its compilers (owner: SQL layer)."""

from __future__ import annotations


class PostgreSQLCompiler:
    pass


class PostgreSQLDDLCompiler:
    pass


class PostgreSQLTypeCompiler:
    pass
