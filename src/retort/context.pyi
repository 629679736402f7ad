# Stubs for retort.context: the EnvironmentContext of the run in progress.
# Kept in sync with retort.runtime.environment.EnvironmentContext by
# tests/unit/test_steps_context_stub.py.
from typing import Any, Callable, ContextManager, Mapping, Sequence, TextIO

from sqlalchemy.engine import Connection, Dialect

from retort.runtime.migration import MigrationContext

config: Any
script: Any
context_opts: dict[str, Any]

def configure(
    connection: Connection | None = None,
    url: Any = None,
    dialect_name: str | None = None,
    dialect_opts: Mapping[str, Any] | None = None,
    transactional_ddl: bool | None = None,
    transaction_per_migration: bool = False,
    output_buffer: TextIO | None = None,
    starting_rev: str | None = None,
    tag: str | None = None,
    template_args: Mapping[str, Any] | None = None,
    render_as_batch: bool = False,
    target_metadata: Any = None,
    include_name: Callable[..., bool] | None = None,
    include_object: Callable[..., bool] | None = None,
    include_schemas: bool = False,
    process_revision_directives: Callable[..., None] | None = None,
    compare_type: bool | Callable[..., Any] = True,
    compare_server_default: bool | Callable[..., Any] = False,
    render_item: Callable[..., Any] | None = None,
    literal_binds: bool = False,
    upgrade_token: str = "upgrades",
    downgrade_token: str = "downgrades",
    alembic_module_prefix: str = "op.",
    sqlalchemy_module_prefix: str = "sa.",
    user_module_prefix: str | None = None,
    on_version_apply: Callable[..., None] | tuple[Callable[..., None], ...] | None = None,
    autogenerate_plugins: Sequence[str] | None = None,
    version_table: str | None = None,
    version_table_schema: str | None = None,
    version_table_pk: bool = True,
    migration_lock: bool = True,
    migration_lock_timeout: float | None = None,
    dialect: Dialect | None = None,
    **kw: Any,
) -> None: ...
def is_offline_mode() -> bool: ...
def is_transactional_ddl() -> bool: ...
def requires_connection() -> bool: ...
def get_head_revision() -> str | tuple[str, ...] | None: ...
def get_head_revisions() -> str | tuple[str, ...] | None: ...
def get_starting_revision_argument() -> str | tuple[str, ...] | None: ...
def get_revision_argument() -> str | tuple[str, ...] | None: ...
def get_tag_argument() -> str | None: ...
def get_x_argument(as_dictionary: bool = False) -> Any: ...
def run_migrations(**kw: Any) -> None: ...
def execute(sql: Any, execution_options: Mapping[str, Any] | None = None) -> None: ...
def static_output(text: str) -> None: ...
def begin_transaction() -> ContextManager[Any]: ...
def get_context() -> MigrationContext: ...
def get_bind() -> Any: ...
def get_impl() -> Any: ...
