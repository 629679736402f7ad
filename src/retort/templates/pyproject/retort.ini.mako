# A generic, single database configuration: deployment options only;
# source-code options are in [tool.retort] of pyproject.toml.

[retort]
# database URL, read by env.py; a literal % must be written %%
sqlalchemy.url = driver://user:pass@localhost/dbname


# Logging configuration, applied by env.py through logging.config.fileConfig
[loggers]
keys = root,sqlalchemy,retort

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_retort]
level = INFO
handlers =
qualname = retort

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
