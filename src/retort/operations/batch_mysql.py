"""MySQL / MariaDB move-and-copy: foreign keys and CHECKs are added after the rename.

InnoDB foreign key names (and MySQL 8's CHECK names) are unique per database,
so the temporary table cannot carry them while the old table still exists;
they are added to the renamed table, after its indexes so that MySQL uses
those instead of making its own.  MySQL's DDL is not transactional: a failure
before the old table is dropped removes the temporary table (``batch_run``).
"""

from __future__ import annotations

from retort.operations.batch_run import rules

__all__: list[str] = []

for _name in ("mysql", "mariadb"):
    rules.register("late_kinds", frozenset({"fk", "self_fk", "check"}), qualifier=_name)
