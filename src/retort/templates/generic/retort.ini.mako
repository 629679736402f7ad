# A generic, single database configuration.

[retort]
# path to migration scripts; a path relative to this file (%(here)s is its
# directory) or a package resource written as package:dir
script_location = ${script_location}

# template used to generate migration file names; the default value is
# %%(rev)s_%%(slug)s. Tokens: rev, slug, epoch, year, month, day, hour,
# minute, second; a "/" in the template makes dated sub-folders.
# Uncomment the line below to prepend the date and time:
# file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s

# sys.path entries, prepended to sys.path if present; defaults to the
# current working directory. Split by path_separator below.
prepend_sys_path = .

# timezone for the date in migration files and file names; a zoneinfo name
# such as UTC or Europe/Paris. Leave blank for local time.
# timezone =

# max length of characters to apply to the "slug" field
# truncate_slug_length = 40

# set to 'true' to run the environment during the 'revision' command,
# regardless of autogenerate
# revision_environment = false

# set to 'true' to allow .pyc and .pyo files without a source .py file to be
# detected as revisions in the versions/ directory
# sourceless = false

# version location specification; defaults to ${script_location}/versions.
# Several locations are split by path_separator below.
# version_locations = %(here)s/bar:%(here)s/bat:${script_location}/versions

# set to 'true' to search version_locations recursively for revision files
# recursive_version_locations = false

# the separator of the path lists above (prepend_sys_path,
# version_locations): space, newline, colon, semicolon, or os (os.pathsep)
path_separator = os

# the output encoding used when revision files are written from
# script.py.mako
# output_encoding = utf-8

# database URL, read by env.py; a literal % must be written %%
sqlalchemy.url = driver://user:pass@localhost/dbname


[post_write_hooks]
# post_write_hooks run scripts or Python modules on newly generated revision
# files.  See the documentation for further detail and examples.

# format using "black" - use the console_scripts runner, against the "black" entrypoint
# hooks = black
# black.type = console_scripts
# black.entrypoint = black
# black.options = -l 79 REVISION_SCRIPT_FILENAME

# lint with attempts to fix using "ruff" - use the module runner, against the "ruff" module
# hooks = ruff
# ruff.type = module
# ruff.module = ruff
# ruff.options = check --fix REVISION_SCRIPT_FILENAME

# Alternatively, use the exec runner to execute a binary found on your PATH
# hooks = ruff
# ruff.type = exec
# ruff.executable = ruff
# ruff.options = check --fix REVISION_SCRIPT_FILENAME

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
