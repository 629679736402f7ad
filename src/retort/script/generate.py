"""Write a new revision file: its name, its date, its place, its text."""

from __future__ import annotations

import datetime
import os
import re
from typing import TYPE_CHECKING, Any, Sequence

from retort.script.resolve import UNLOCATABLE as _UNLOCATABLE
from retort.script.revision import tuple_rev_as_scalar
from retort.util import pyfiles
from retort.util.exc import CommandError, MultipleHeads, ResolutionError

if TYPE_CHECKING:
    from retort.script.base import Script, ScriptDirectory

__all__ = ["create_date", "rev_path", "make_slug", "generate_revision"]

_SLUG_WORD = re.compile(r"\w+")


def create_date(timezone: str | None) -> datetime.datetime:
    """Return now, in ``timezone`` (a zoneinfo name) when given, else naive local time."""
    if not timezone:
        return datetime.datetime.now()
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        tz = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        try:
            tz = ZoneInfo(timezone.upper())
        except (ZoneInfoNotFoundError, ValueError):
            raise CommandError("Can't locate timezone: %s" % timezone) from None
    return datetime.datetime.now(datetime.timezone.utc).astimezone(tz)


def make_slug(message: str | None, truncate_slug_length: int) -> str:
    """Return the file-name slug for ``message``: lower-case words joined by ``_``, cut at a word boundary."""
    slug = "_".join(_SLUG_WORD.findall(message or "")).lower()
    if len(slug) > truncate_slug_length:
        slug = slug[:truncate_slug_length].rsplit("_", 1)[0] + "_"
    return slug


def rev_path(
    scriptdir: ScriptDirectory,
    path: str,
    rev_id: str,
    message: str | None,
    create_date: datetime.datetime,
    file_template: str | None = None,
) -> str:
    """Return the path of a new revision file under version location ``path``."""
    template = file_template or scriptdir.file_template
    values = {
        "rev": rev_id,
        "slug": make_slug(message, scriptdir.truncate_slug_length),
        "epoch": int(create_date.timestamp()),
        "year": create_date.year,
        "month": create_date.month,
        "day": create_date.day,
        "hour": create_date.hour,
        "minute": create_date.minute,
        "second": create_date.second,
    }
    try:
        name = template % values
    except (KeyError, ValueError, TypeError) as exc:
        raise CommandError("file_template %r cannot be rendered: %s" % (template, exc)) from None
    return os.path.join(path, "%s.py" % name)


def _resolve_heads(scriptdir: ScriptDirectory, head: Any) -> tuple[Script, ...]:
    rmap = scriptdir.revision_map
    try:
        return tuple(r for r in rmap.get_revisions(head) if r is not None)  # type: ignore[misc]
    except MultipleHeads as exc:
        exc.args = (
            "Multiple heads are present; please specify the head revision on which the new "
            "revision should be based, or perform a merge.",
        )
        raise
    except ResolutionError as exc:
        # Alembic's wording, naming the one identifier that failed (of a merge's list)
        if str(exc.args[0] if exc.args else "").startswith(_UNLOCATABLE):
            exc.args = ("Can't locate revision identified by '%s'" % exc.argument,)
        else:
            exc.args = ("Can't locate revision identified by '%s': %s" % (head, exc.args[0]),)
        raise


def _version_path(scriptdir: ScriptDirectory, version_path: Any, heads: Sequence[Script]) -> str:
    locations = scriptdir._version_locations
    if version_path is None:
        if len(locations) == 1:
            return locations[0]
        for h in heads:
            hpath = os.path.abspath(h.path)
            for loc in locations:
                if hpath.startswith(loc.rstrip(os.sep) + os.sep):
                    return loc
        raise CommandError("Multiple version locations present, please specify --version-path")
    norm = os.path.normcase(os.path.normpath(os.path.abspath(os.fspath(version_path))))
    for loc in locations:
        if os.path.normcase(os.path.normpath(loc)) == norm:
            return loc
    raise CommandError("Path %s is not represented in current version locations" % os.fspath(version_path))


def generate_revision(
    scriptdir: ScriptDirectory,
    revid: str,
    message: str | None,
    head: str | Sequence[str] | None = None,
    splice: bool | None = False,
    branch_labels: str | Sequence[str] | None = None,
    version_path: Any = None,
    file_template: str | None = None,
    depends_on: str | Sequence[str] | None = None,
    **kw: Any,
) -> Script | None:
    """Render script.py.mako into a new revision file; see ScriptDirectory.generate_revision."""
    from retort.script.script_file import Script, format_as_comma

    from retort.script.revision import Revision

    Revision.verify_rev_id(revid)  # before anything is written
    rmap = scriptdir.revision_map
    if head is None:
        head = "head"
    if revid in rmap:
        existing = rmap.get_revision(revid)
        raise CommandError("Revision %s already exists in %s" % (revid, getattr(existing, "path", "?")))
    heads = _resolve_heads(scriptdir, head)
    if len(set(heads)) != len(heads):
        raise CommandError("Duplicate head revisions specified")

    for h in heads:
        if not splice and not h.is_head:
            raise CommandError(
                "Revision %s is not a head revision; please specify --splice to create a new "
                "branch from this revision" % h.revision
            )

    dependencies: list[str] = []
    if depends_on:
        labels = rmap.branch_label_map
        for dep in (depends_on,) if isinstance(depends_on, str) else depends_on:
            if dep in labels:
                dependencies.append(dep)  # a label stays symbolic: it follows the branch
                continue
            try:
                found = rmap.get_revisions(dep)
            except ResolutionError as exc:
                exc.args = ("Can't locate revision identified by '%s'" % dep,)
                raise
            dependencies.extend(r.revision for r in found if r is not None)

    target_dir = _version_path(scriptdir, version_path, heads)
    date = create_date(scriptdir.timezone)
    path = rev_path(scriptdir, target_dir, revid, message, date, file_template)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path):
        raise CommandError("Revision file %s already exists" % path)

    template = os.path.join(scriptdir.dir, "script.py.mako")
    if not os.path.exists(template):
        raise CommandError("No script.py.mako template found in %s" % scriptdir.dir)
    pyfiles.template_to_file(
        template,
        path,
        scriptdir.output_encoding,
        up_revision=str(revid),
        down_revision=tuple_rev_as_scalar(tuple(h.revision for h in heads)),
        # a tuple even for one label, as Alembic writes it: ('lab',)
        branch_labels=tuple(_as_list(branch_labels)) or None,
        depends_on=tuple_rev_as_scalar(dependencies),
        create_date=date,
        comma=format_as_comma,
        message=message if message is not None else "empty message",
        **kw,
    )
    _run_hooks(path, scriptdir.hooks)

    script = Script._from_path(scriptdir, path)
    if script is None:
        return None
    if branch_labels and not script.branch_labels:
        raise CommandError(
            "Version %s specified branch_labels %s, however the migration file %s does not have "
            "them; have you upgraded your script.py.mako to include the 'branch_labels' section?"
            % (script.revision, branch_labels, script.path)
        )
    rmap.add_revision(script)
    return script


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _run_hooks(path: str, hooks: Sequence[Any]) -> None:
    if not hooks:
        return
    from retort.script import write_hooks  # owned by the command-line layer

    runner = getattr(write_hooks, "_run_hooks", None) or getattr(write_hooks, "run_hooks")
    runner(path, hooks)
