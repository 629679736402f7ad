"""The glue between ``retort revision`` / ``retort check`` and autogenerate.

``command.revision`` builds a :class:`RevisionContext`, runs env.py with a
migration function that calls :meth:`RevisionContext.run_autogenerate` (or
:meth:`~RevisionContext.run_no_autogenerate`) for each ``run_migrations()``
call env.py makes, then writes the files with
:meth:`~RevisionContext.generate_scripts`::

    ctx = RevisionContext(config, script_directory, command_args,
                          process_revision_directives=None)

    def retrieve_migrations(rev, context):
        ctx.run_autogenerate(rev, context)
        return []

    with EnvironmentContext(config, script_directory, fn=retrieve_migrations,
                            template_args=ctx.template_args,
                            revision_context=ctx):
        script_directory.run_env()
    scripts = list(ctx.generate_scripts())

``command_args`` holds the ``revision`` command's arguments: ``message``,
``autogenerate``, ``sql``, ``head``, ``splice``, ``branch_label``,
``version_path``, ``rev_id``, ``depends_on``.

Each ``run_migrations()`` call (one per engine in the ``multidb`` template)
adds its ``UpgradeOps`` / ``DowngradeOps`` under that call's
``upgrade_token`` / ``downgrade_token``; the first call fills the initial
pair, later calls append, which turns ``MigrationScript.upgrade_ops`` into
the list form.  ``process_revision_directives`` (the command argument first,
then the env.py option) runs after each call, on the list of scripts.
``check`` reads ``generated_revisions[-1].upgrade_ops_list`` afterwards.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Callable, Iterator

from retort.util.exc import CommandError

if TYPE_CHECKING:
    from retort.operations.ops import MigrationScript

__all__ = ["RevisionContext", "rev_id"]


def rev_id() -> str:
    """A new random revision identifier (12 hex digits)."""
    return uuid.uuid4().hex[-12:]


class RevisionContext:
    """Maintains configuration and state that's specific to a revision file generation.

    :param config: the ``Config``.
    :param script_directory: the ``ScriptDirectory`` the files are written to.
    :param command_args: the ``revision`` command's arguments (see the module doc).
    :param process_revision_directives: a hook run before env.py's own, with
        ``(migration_context, revision, directives)``.
    """

    def __init__(
        self,
        config: Any,
        script_directory: Any,
        command_args: dict[str, Any],
        process_revision_directives: Callable[..., Any] | None = None,
    ) -> None:
        self.config = config
        self.script_directory = script_directory
        self.command_args = command_args
        self.process_revision_directives = process_revision_directives
        #: variables for script.py.mako; env.py's ``template_args`` are merged in
        self.template_args: dict[str, Any] = {"config": config}
        #: the MigrationScript objects to write (hooks may replace or extend this list)
        self.generated_revisions: list[MigrationScript] = [self._default_revision()]
        self._last_autogen_context: Any = None

    # --- building the scripts -------------------------------------------------------

    def _default_revision(self) -> MigrationScript:
        from retort.operations import ops

        args = self.command_args
        return ops.MigrationScript(
            rev_id=args.get("rev_id") or rev_id(),
            message=args.get("message"),
            upgrade_ops=ops.UpgradeOps([]),
            downgrade_ops=ops.DowngradeOps([]),
            head=args.get("head", "head"),
            splice=args.get("splice", False),
            branch_label=args.get("branch_label"),
            version_path=args.get("version_path"),
            depends_on=args.get("depends_on"),
        )

    def run_autogenerate(self, rev: Any, migration_context: Any) -> None:
        """Compare the database with ``target_metadata`` and add the operations found."""
        self._run_environment(rev, migration_context, True)

    def run_no_autogenerate(self, rev: Any, migration_context: Any) -> None:
        """Add an empty upgrade / downgrade pair (hooks may still fill it)."""
        self._run_environment(rev, migration_context, False)

    def _run_environment(self, rev: Any, migration_context: Any, autogenerate: bool) -> None:
        from retort.autogenerate.api import AutogenContext, populate_upgrade_ops
        from retort.operations import ops

        opts = getattr(migration_context, "opts", None) or {}
        if autogenerate:
            if self.command_args.get("sql"):
                raise CommandError("Using --sql with --autogenerate does not make any sense")
            self._check_up_to_date(rev)
            if opts.get("target_metadata") is None:
                raise CommandError(
                    "Can't proceed with --autogenerate option; environment script "
                    f"{self._env_py()} does not provide a MetaData object or sequence "
                    "of objects to the context."
                )

        upgrade_token = opts.get("upgrade_token") or "upgrades"
        downgrade_token = opts.get("downgrade_token") or "downgrades"
        script = self.generated_revisions[-1]
        if not getattr(script, "_needs_render", False):
            # first run_migrations() call: the default pair takes this call's tokens
            script.upgrade_ops_list[-1].upgrade_token = upgrade_token
            script.downgrade_ops_list[-1].downgrade_token = downgrade_token
            script._needs_render = True  # type: ignore[attr-defined]
        else:
            script.upgrade_ops = [
                *script.upgrade_ops_list,
                ops.UpgradeOps([], upgrade_token=upgrade_token),
            ]
            script.downgrade_ops = [
                *script.downgrade_ops_list,
                ops.DowngradeOps([], downgrade_token=downgrade_token),
            ]

        autogen_context = AutogenContext(migration_context, autogenerate=autogenerate)
        self._last_autogen_context = autogen_context
        if autogenerate:
            upgrade_ops = script.upgrade_ops_list[-1]
            populate_upgrade_ops(autogen_context, upgrade_ops)
            script.downgrade_ops_list[-1].ops[:] = upgrade_ops.reverse().ops

        hooks = [self.process_revision_directives, opts.get("process_revision_directives")]
        for hook in hooks:
            if hook is not None:
                hook(migration_context, rev, self.generated_revisions)
        for generated in self.generated_revisions:
            generated._needs_render = True  # type: ignore[attr-defined]

    def _check_up_to_date(self, rev: Any) -> None:
        script = self.script_directory
        current = set(script.get_revisions(rev))
        heads = set(script.get_revisions("heads"))
        if current != heads:
            raise CommandError("Target database is not up to date.")

    def _env_py(self) -> str:
        location = getattr(self.script_directory, "env_py_location", None)
        return str(location) if location else "env.py"

    # --- writing ---------------------------------------------------------------------

    def generate_scripts(self) -> Iterator[Any]:
        """Write each generated MigrationScript as a revision file; yield the ``Script``s."""
        for script in self.generated_revisions:
            yield self._to_script(script)

    def _to_script(self, migration_script: MigrationScript) -> Any:
        template_args = dict(self.template_args)
        if getattr(migration_script, "_needs_render", False):
            from retort.autogenerate.render import render_python_into_templatevars

            autogen_context = self._render_context()
            autogen_context.imports = set(migration_script.imports or ())
            render_python_into_templatevars(autogen_context, migration_script, template_args)
        if migration_script.rev_id is None:
            raise CommandError("A MigrationScript to write needs a rev_id")
        return self.script_directory.generate_revision(
            migration_script.rev_id,
            migration_script.message,
            refresh=True,
            head=migration_script.head,
            splice=migration_script.splice,
            branch_labels=migration_script.branch_label,
            version_path=migration_script.version_path,
            depends_on=migration_script.depends_on,
            **template_args,
        )

    def _render_context(self) -> Any:
        if self._last_autogen_context is not None:
            return self._last_autogen_context
        from retort.autogenerate.api import AutogenContext

        return AutogenContext(None, opts={}, autogenerate=False)
