from logging.config import fileConfig

from sqlalchemy import engine_from_config
from sqlalchemy import pool

from retort import context

# The retort Config object: access to the values of the .ini file in use.
config = context.config

# Set up Python logging from the config file's [loggers] / [handlers] sections.
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

# Your models' MetaData, for 'revision --autogenerate':
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
target_metadata = None

# Other values from the config, as env.py needs them:
# my_important_option = config.get_main_option("my_important_option")


def run_migrations_offline() -> None:
    """Run migrations in 'offline' mode.

    Configures the context with just a URL and no Engine, so no DBAPI is
    needed; context.execute() writes the SQL to the script output.
    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations in 'online' mode: create an Engine and use a connection."""
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
