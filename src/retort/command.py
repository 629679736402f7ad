"""One function per ``retort`` command, each taking a :class:`~retort.config.Config`.

The names and signatures are Alembic's (``alembic.command``), so code that
drives migrations programmatically ports by changing the import.  User
mistakes raise :class:`~retort.util.exc.CommandError` subclasses; nothing
here calls ``sys.exit``.

Everything heavy (SQLAlchemy, Mako, the script and runtime layers) is
imported inside the functions: :mod:`retort.cli` imports this module to
build ``retort --help``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Sequence

from retort.util.exc import CommandError, DatabaseNotAtHead

if TYPE_CHECKING:
    from retort.config import Config
    from retort.script.base import Script, ScriptDirectory

__all__ = [
    "branches",
    "check",
    "current",
    "downgrade",
    "edit",
    "ensure_version",
    "heads",
    "history",
    "init",
    "list_templates",
    "merge",
    "revision",
    "show",
    "stamp",
    "upgrade",
]


# -- shared helpers -------------------------------------------------------------------


def _script(config: Config) -> ScriptDirectory:
    """Return the project's ScriptDirectory; a missing script_location names the file."""
    config.require_script_location()
    from retort.script import ScriptDirectory

    return ScriptDirectory.from_config(config)


def _environment(config: Config, script: ScriptDirectory, **kw: Any) -> Any:
    from retort.runtime.environment import EnvironmentContext

    return EnvironmentContext(config, script, **kw)


def _asbool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return value is not None and str(value).strip().lower() in ("true", "yes", "on", "1")


def _revision_environment(config: Config) -> bool:
    return _asbool(config.get_retort_option("revision_environment"))


def _rev_id() -> str:
    import uuid

    return uuid.uuid4().hex[-12:]


def _to_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _obfuscated_url(context: Any) -> str:
    connection = getattr(context, "connection", None)
    if connection is None:
        return "(offline)"
    return connection.engine.url.render_as_string(hide_password=True)


def _generated(config: Config, sc: Any) -> Any:
    """Report a newly written revision file as Alembic does."""
    if sc is not None:
        config.print_stdout("Generating %s ...  done", sc.path)
    return sc


def _format(sc: Any, verbose: bool = False, **kw: Any) -> str:
    return sc.cmd_format(verbose, **kw)


# -- commands -------------------------------------------------------------------------


def list_templates(config: Config) -> None:
    """List available templates."""
    template_dir = config.get_template_directory()
    config.print_stdout("Available templates:\n")
    for name in sorted(os.listdir(template_dir)):
        readme = os.path.join(template_dir, name, "README")
        if not os.path.isfile(readme):
            continue
        with open(readme, encoding="utf-8") as fh:
            synopsis = fh.readline().rstrip()
        config.print_stdout("%s - %s", name, synopsis)
    config.print_stdout("\nTemplates are used via the 'init' command, e.g.:")
    config.print_stdout("\n  retort init --template generic ./scripts")


def init(config: Config, directory: str, template: str = "generic", package: bool = False) -> None:
    """Initialize a new scripts directory."""
    from retort.script.scaffold import write_environment

    write_environment(config, directory, template, package)


def revision(
    config: Config,
    message: str | None = None,
    autogenerate: bool = False,
    sql: bool = False,
    head: str = "head",
    splice: bool = False,
    branch_label: str | Sequence[str] | None = None,
    version_path: str | None = None,
    rev_id: str | None = None,
    depends_on: str | Sequence[str] | None = None,
    process_revision_directives: Callable[..., Any] | None = None,
) -> Script | list[Script | None] | None:
    """Create a new revision file.

    :param message: the revision's message (its slug names the file).
    :param autogenerate: compare ``target_metadata`` with the database and
        write the differences as operations (runs env.py).
    :param sql: run env.py in offline mode (needs ``revision_environment``).
    :param head: the revision (or ``<label>@head``) the new one follows.
    :param splice: allow ``head`` to be a non-head revision, starting a branch.
    :param branch_label: label(s) for the new revision.
    :param version_path: which version location to write into.
    :param rev_id: use this identifier instead of a generated one.
    :param depends_on: revision(s) or labels the new revision depends on.
    :param process_revision_directives: a hook receiving the MigrationScript
        directives before they are written, as in ``context.configure()``.
    :return: the new Script, or a list when several were generated.
    """
    script_directory = _script(config)
    command_args = dict(
        message=message, autogenerate=autogenerate, sql=sql, head=head or "head", splice=splice,
        branch_label=branch_label, version_path=version_path, rev_id=rev_id, depends_on=depends_on,
    )
    environment = _revision_environment(config)
    if autogenerate:
        environment = True
        if sql:
            raise CommandError("Using --sql with --autogenerate does not make any sense")
    elif sql and not environment:
        raise CommandError(
            "Using --sql with the revision command when revision_environment is not "
            "configured does not make any sense"
        )

    if not environment and process_revision_directives is None:
        # no env.py run needed: render script.py.mako directly
        written = script_directory.generate_revision(
            rev_id or _rev_id(), message, head=head or "head", splice=splice, branch_labels=branch_label,
            version_path=version_path, depends_on=depends_on, config=config,
        )
        return _generated(config, written)

    from retort.autogenerate.revision_context import RevisionContext

    revision_context = RevisionContext(
        config,
        script_directory,
        command_args,
        process_revision_directives=process_revision_directives,
    )
    if environment:

        def retrieve_migrations(rev: Any, context: Any) -> list[Any]:
            if autogenerate:
                revision_context.run_autogenerate(rev, context)
            else:
                revision_context.run_no_autogenerate(rev, context)
            return []

        with _environment(
            config,
            script_directory,
            fn=retrieve_migrations,
            as_sql=sql,
            template_args=revision_context.template_args,
            revision_context=revision_context,
        ):
            script_directory.run_env()

    scripts = [_generated(config, sc) for sc in revision_context.generate_scripts()]
    if len(scripts) == 1:
        return scripts[0]
    return scripts


def check(config: Config) -> None:
    """Check if revision command with autogenerate has pending upgrade ops."""
    from retort.autogenerate.revision_context import RevisionContext
    from retort.util.exc import AutogenerateDiffsDetected

    script_directory = _script(config)
    command_args = dict(
        message=None, autogenerate=True, sql=False, head="head", splice=False,
        branch_label=None, version_path=None, rev_id=None, depends_on=None,
    )
    revision_context = RevisionContext(config, script_directory, command_args)

    def retrieve_migrations(rev: Any, context: Any) -> list[Any]:
        revision_context.run_autogenerate(rev, context)
        return []

    with _environment(
        config, script_directory, fn=retrieve_migrations, as_sql=False,
        template_args=revision_context.template_args, revision_context=revision_context,
    ):
        script_directory.run_env()

    migration_script = revision_context.generated_revisions[-1]
    diffs: list[Any] = []
    for upgrade_ops in migration_script.upgrade_ops_list:
        diffs.extend(upgrade_ops.as_diffs())
    if diffs:
        raise AutogenerateDiffsDetected(
            f"New upgrade operations detected: {diffs}",
            revision_context=revision_context,
            diffs=diffs,
        )
    config.print_stdout("No new upgrade operations detected.")


def merge(
    config: Config,
    revisions: str | Sequence[str],
    message: str | None = None,
    branch_label: str | Sequence[str] | None = None,
    rev_id: str | None = None,
    splice: bool = False,
) -> Script | None:
    """Merge two revisions together.  Creates a new migration file."""
    script = _script(config)
    template_args: dict[str, Any] = {"config": config}
    if _revision_environment(config):

        def nothing(rev: Any, context: Any) -> list[Any]:
            return []

        with _environment(config, script, fn=nothing, as_sql=False, template_args=template_args):
            script.run_env()

    written = script.generate_revision(
        rev_id or _rev_id(), message, head=revisions, splice=splice, branch_labels=branch_label,
        **template_args,
    )
    return _generated(config, written)


def _split_range(revision: str, sql: bool) -> tuple[str | None, str]:
    """``a:b`` (``--sql`` only) → (starting revision, destination)."""
    if ":" in revision:
        if not sql:
            raise CommandError("Range revision not allowed")
        starting_rev, _, revision = revision.partition(":")
        return starting_rev or None, revision
    return None, revision


def upgrade(config: Config, revision: str, sql: bool = False, tag: str | None = None) -> None:
    """Upgrade to a later version."""
    script = _script(config)
    starting_rev, revision = _split_range(revision, sql)

    def do_upgrade(rev: Any, context: Any) -> Any:
        from retort.runtime.steps import upgrade_steps

        return upgrade_steps(script, revision, rev)

    with _environment(
        config, script, fn=do_upgrade, as_sql=sql, starting_rev=starting_rev, destination_rev=revision, tag=tag
    ):
        script.run_env()


def downgrade(config: Config, revision: str, sql: bool = False, tag: str | None = None) -> None:
    """Revert to a previous version."""
    script = _script(config)
    if sql and ":" not in revision:
        raise CommandError("downgrade with --sql requires <fromrev>:<torev>")
    starting_rev, revision = _split_range(revision, sql)

    def do_downgrade(rev: Any, context: Any) -> Any:
        from retort.runtime.steps import downgrade_steps

        return downgrade_steps(script, revision, rev)

    with _environment(
        config, script, fn=do_downgrade, as_sql=sql, starting_rev=starting_rev, destination_rev=revision, tag=tag
    ):
        script.run_env()


def show(config: Config, rev: str) -> None:
    """Show the revision(s) denoted by the given symbol."""
    script = _script(config)
    if rev == "current":

        def show_current(current: Any, context: Any) -> list[Any]:
            for sc in script.get_revisions(current):
                config.print_stdout(sc.log_entry)
            return []

        with _environment(config, script, fn=show_current, dont_mutate=True):
            script.run_env()
    else:
        for sc in script.get_revisions(rev):
            config.print_stdout(sc.log_entry)


def history(
    config: Config,
    rev_range: str | None = None,
    verbose: bool = False,
    indicate_current: bool = False,
) -> None:
    """List changeset scripts in chronological order."""
    script = _script(config)
    base = head = None
    if rev_range is not None:
        if ":" not in rev_range:
            raise CommandError("History range requires [start]:[end], [start]:, or :[end]")
        base, _, head = rev_range.strip().partition(":")
        base, head = base or None, head or None
    environment = _revision_environment(config) or indicate_current

    def display(base: Any, head: Any, currents: Sequence[str] = ()) -> None:
        for sc in script.walk_revisions(base=base or "base", head=head or "heads"):
            if indicate_current:
                sc._db_current_indicator = sc.revision in currents
            config.print_stdout(
                _format(sc, verbose, include_branches=True, include_doc=True, include_parents=True)
            )

    if base == "current" or head == "current" or environment:

        def display_with_current(rev: Any, context: Any) -> list[Any]:
            currents = tuple(rev or ())
            if head == "current":
                display(base, currents, currents)
            elif base == "current":
                display(currents, head, currents)
            else:
                display(base, head, currents)
            return []

        with _environment(config, script, fn=display_with_current, dont_mutate=True):
            script.run_env()
    else:
        display(base, head)


def heads(config: Config, verbose: bool = False, resolve_dependencies: bool = False) -> None:
    """Show current available heads in the script directory."""
    script = _script(config)
    if resolve_dependencies:
        found = script.get_revisions("heads")
    else:
        found = script.get_revisions(script.get_heads())
    for sc in found:
        config.print_stdout(_format(sc, verbose, include_branches=True, tree_indicators=False))


def branches(config: Config, verbose: bool = False) -> None:
    """Show current branch points."""
    script = _script(config)
    for sc in script.walk_revisions():
        if not sc.is_branch_point:
            continue
        pad = " " * len(str(sc.revision))
        children = "\n".join(
            "%s -> %s"
            % (pad, _format(script.get_revision(rev), False, include_branches=True, include_doc=verbose))
            for rev in sorted(sc.nextrev)  # Alembic's order is its set's, varying run to run
        )
        config.print_stdout("%s\n%s\n", _format(sc, verbose, include_branches=True), children)


def current(config: Config, check_heads: bool = False, verbose: bool = False) -> None:
    """Display the current revision for a database."""
    script = _script(config)

    def display_version(rev: Any, context: Any) -> list[Any]:
        if verbose:
            config.print_stdout("Current revision(s) for %s:", _obfuscated_url(context))
        currents = tuple(rev or ())
        if check_heads and set(currents) != set(script.get_heads()):
            raise DatabaseNotAtHead("Database is not on all head revisions")
        found = {sc.revision for sc in script.get_all_current(currents)}
        # the version table's own rows first, then what they depend on (Alembic
        # prints a set; a stable order keeps output diffable)
        order = [i for i in currents if i in found]
        rest = found - set(order)
        order += [r.revision for r in script.revision_map.topological_order(rest, newest_first=True)]
        for rev_id in order:
            config.print_stdout(_format(script.get_revision(rev_id), verbose))
        return []

    with _environment(config, script, fn=display_version, dont_mutate=True):
        script.run_env()


def stamp(
    config: Config,
    revision: str | Sequence[str],
    sql: bool = False,
    tag: str | None = None,
    purge: bool = False,
) -> None:
    """'stamp' the revision table with the given revision; don't run any migrations."""
    if sql and purge:
        # --purge empties the version table first, which needs to read it online
        raise CommandError("Can't use --purge with --sql mode")
    script = _script(config)
    starting_rev = None
    destination_revs: list[str] = []
    for rev in _to_list(revision):
        if sql and ":" in rev:
            srev, _, rev = rev.partition(":")
            if starting_rev is not None and starting_rev != srev:
                raise CommandError("Stamp operation with --sql only supports one starting revision at a time")
            starting_rev = srev
        destination_revs.append(rev)
    destination = tuple(destination_revs)

    def do_stamp(rev: Any, context: Any) -> Any:
        from retort.runtime.steps import stamp_steps

        return stamp_steps(script, destination, rev, purge=purge)

    with _environment(
        config, script, fn=do_stamp, as_sql=sql, starting_rev=starting_rev,
        destination_rev=destination, tag=tag, purge=purge,
    ):
        script.run_env()


def edit(config: Config, rev: str) -> None:
    """Edit revision script(s) using $EDITOR."""
    script = _script(config)
    if rev == "current":

        def edit_current(current: Any, context: Any) -> list[Any]:
            if not current:
                raise CommandError("No current revisions")
            for sc in script.get_revisions(current):
                _open_in_editor(sc.path)
            return []

        with _environment(config, script, fn=edit_current, dont_mutate=True):
            script.run_env()
    else:
        revs = script.get_revisions(rev)
        if not revs:
            raise CommandError(f"No revision files indicated by symbol {rev!r}")
        for sc in revs:
            _open_in_editor(sc.path)


def ensure_version(config: Config, sql: bool = False) -> None:
    """Create the version table if it doesn't exist already."""
    script = _script(config)

    def do_ensure_version(rev: Any, context: Any) -> list[Any]:
        context._ensure_version_table()
        return []

    with _environment(config, script, fn=do_ensure_version, as_sql=sql):
        script.run_env()


def _open_in_editor(path: str) -> None:
    import shutil
    import subprocess

    for var in ("EDITOR", "VISUAL"):
        editor = os.environ.get(var)
        if editor:
            break
    else:
        editor = next(
            (e for e in ("sensible-editor", "editor", "nano", "vim", "code") if shutil.which(e)),
            None,
        )
    if not editor:
        raise CommandError('No suitable editor found. Please set the "EDITOR" or "VISUAL" environment variables')
    import shlex

    try:
        subprocess.check_call([*shlex.split(editor), path])
    except (OSError, subprocess.CalledProcessError) as exc:
        raise CommandError(f"Error executing editor ({exc})") from None

