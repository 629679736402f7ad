"""Generate a migration project with N revision files, for benchmarks.

The project is an Alembic-layout directory (``alembic.ini`` with an
``[alembic]`` section, ``migrations/env.py``, ``script.py.mako``,
``migrations/versions/``) that both Alembic 1.20 and retort run unchanged,
so the same files can be timed with either tool.

    python bench/gen_revisions.py DIR 5000 [--shape branchy] [--seed 1]

``linear``: one chain.  ``branchy``: a chain that forks every ``fork_every``
revisions into two branches merged a little later, with an occasional
``depends_on`` and a second, labelled base — the graph features real
projects grow.  Every revision file looks like one ``revision
--autogenerate`` writes: docstring, typed identifiers, imports, and one
operation that runs on any database (``op.create_table`` of its own table,
``op.drop_table`` to go back).
"""

from __future__ import annotations

import argparse
import os
import random
from typing import Any

__all__ = ["generate"]

ENV_PY = '''"""Benchmark env.py: offline writes SQL, online runs against sqlalchemy.url."""
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
target_metadata = None


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

SCRIPT_MAKO = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}
branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}
depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}


def upgrade() -> None:
    """Upgrade schema."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Downgrade schema."""
    ${downgrades if downgrades else "pass"}
'''

INI = """[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os
sqlalchemy.url = {url}

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

REVISION = '''"""{message}

Revision ID: {rev}
Revises: {revises}
Create Date: 2026-01-01 00:00:{second:02d}.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = {rev!r}
down_revision: Union[str, Sequence[str], None] = {down!r}
branch_labels: Union[str, Sequence[str], None] = {labels!r}
depends_on: Union[str, Sequence[str], None] = {deps!r}


def upgrade() -> None:
    """Upgrade schema."""
    {upgrade}


def downgrade() -> None:
    """Downgrade schema."""
    {downgrade}
'''


def _graph(n: int, shape: str, rng: random.Random, fork_every: int) -> list[dict[str, Any]]:
    ids: list[str] = []
    seen: set[str] = set()
    while len(ids) < n:
        rid = "%012x" % rng.getrandbits(48)
        if rid not in seen:
            seen.add(rid)
            ids.append(rid)
    nodes: list[dict[str, Any]] = []
    if shape == "linear":
        for i, rid in enumerate(ids):
            nodes.append({"rev": rid, "down": ids[i - 1] if i else None, "deps": None, "labels": None})
        return nodes
    # branchy: the trunk forks into two short branches that merge again; every
    # few forks a revision depends on an earlier one; a second labelled base
    # ("plugin") grows beside the trunk.
    trunk_head: str | None = None
    plugin_head: str | None = None
    i = 0
    pending_fork: tuple[str, str] | None = None
    while i < len(ids):
        rid = ids[i]
        node: dict[str, Any] = {"rev": rid, "down": trunk_head, "deps": None, "labels": None}
        if i == 1:
            node.update(down=None, labels="plugin")
            plugin_head = rid
            nodes.append(node)
            i += 1
            continue
        if plugin_head is not None and i % 23 == 0:
            node["down"] = plugin_head
            if trunk_head is not None and i % 46 == 0:
                node["deps"] = trunk_head
            plugin_head = rid
            nodes.append(node)
            i += 1
            continue
        if pending_fork is not None:
            node["down"] = pending_fork
            pending_fork = None
        elif trunk_head is not None and i % fork_every == 0 and i + 2 < len(ids):
            # fork: rid and the next id both branch from trunk_head, then merge
            left = rid
            right = ids[i + 1]
            nodes.append({"rev": left, "down": trunk_head, "deps": None, "labels": None})
            nodes.append({"rev": right, "down": trunk_head, "deps": None, "labels": None})
            pending_fork = (left, right)
            trunk_head = None
            i += 2
            continue
        nodes.append(node)
        trunk_head = rid
        i += 1
    return nodes  # a fork still open at the end simply leaves two heads


def generate(
    directory: str,
    n: int,
    *,
    shape: str = "linear",
    seed: int = 0,
    fork_every: int = 50,
    url: str = "sqlite:///bench.db",
) -> dict[str, Any]:
    """Write a project with ``n`` revisions into ``directory`` and describe it.

    :param shape: ``linear`` or ``branchy``.
    :param seed: makes revision ids (and the graph) reproducible.
    :param fork_every: in ``branchy``, revisions between forks.
    :param url: ``sqlalchemy.url`` written into alembic.ini.
    :returns: ``{"ini": path, "script_location": path, "versions": path,
        "revisions": [ids in file order], "heads": [ids]}``.
    """
    if shape not in ("linear", "branchy"):
        raise ValueError("shape must be 'linear' or 'branchy'")
    rng = random.Random(seed)
    script_location = os.path.join(directory, "migrations")
    versions = os.path.join(script_location, "versions")
    os.makedirs(versions, exist_ok=True)
    ini = os.path.join(directory, "alembic.ini")
    with open(ini, "w") as f:
        f.write(INI.format(url=url))
    with open(os.path.join(script_location, "env.py"), "w") as f:
        f.write(ENV_PY)
    with open(os.path.join(script_location, "script.py.mako"), "w") as f:
        f.write(SCRIPT_MAKO)

    nodes = _graph(n, shape, rng, fork_every)
    has_child: set[str] = set()
    for i, node in enumerate(nodes):
        down = node["down"]
        for d in (down,) if isinstance(down, str) else (down or ()):
            has_child.add(d)
        if isinstance(down, tuple):
            revises = ", ".join(down)
        else:
            revises = down or ""
        table = "t_%s" % node["rev"][:8]
        text = REVISION.format(
            message="change %d: create %s" % (i, table),
            rev=node["rev"],
            revises=revises,
            second=i % 60,
            down=down,
            labels=node["labels"],
            deps=node["deps"],
            upgrade="op.create_table(%r, sa.Column('id', sa.Integer(), primary_key=True))" % (table,),
            downgrade="op.drop_table(%r)" % (table,),
        )
        with open(os.path.join(versions, "%s_change_%d.py" % (node["rev"], i)), "w") as f:
            f.write(text)
    heads = [node["rev"] for node in nodes if node["rev"] not in has_child]
    return {
        "ini": ini,
        "script_location": script_location,
        "versions": versions,
        "revisions": [node["rev"] for node in nodes],
        "heads": heads,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory")
    parser.add_argument("n", type=int)
    parser.add_argument("--shape", choices=("linear", "branchy"), default="linear")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--url", default="sqlite:///bench.db")
    args = parser.parse_args(argv)
    info = generate(args.directory, args.n, shape=args.shape, seed=args.seed, url=args.url)
    print("%d revisions, heads: %s" % (len(info["revisions"]), ", ".join(info["heads"])))


if __name__ == "__main__":
    main()
