"""Error classes exposed where Alembic users import them from."""

from __future__ import annotations

import pytest


def test_database_not_at_head_is_a_command_error_in_util_exc():
    import alembic.util.exc as alembic_exc

    from retort import command, util
    from retort.util import exc

    assert issubclass(exc.DatabaseNotAtHead, exc.CommandError)
    # same import paths as Alembic 1.20: alembic.util.exc / alembic.util
    assert issubclass(alembic_exc.DatabaseNotAtHead, alembic_exc.CommandError)
    assert util.DatabaseNotAtHead is exc.DatabaseNotAtHead
    assert command.DatabaseNotAtHead is exc.DatabaseNotAtHead
    with pytest.raises(exc.CommandError):
        raise exc.DatabaseNotAtHead("Database is not on all head revisions")
