[tool.retort]

# path to migration scripts; %(here)s is the directory of this file
script_location = "${script_location}"

# template used to generate migration file names; the default value is
# %(rev)s_%(slug)s. Tokens: rev, slug, epoch, year, month, day, hour,
# minute, second; a "/" in the template makes dated sub-folders.
# file_template = "%(year)d_%(month).2d_%(day).2d_%(hour).2d%(minute).2d-%(rev)s_%(slug)s"

# additional paths to be prepended to sys.path; defaults to the current
# working directory
prepend_sys_path = [
    "."
]

# timezone for the date in migration files and file names, a zoneinfo name
# timezone = "UTC"

# max length of characters to apply to the "slug" field
# truncate_slug_length = 40

# set to true to run the environment during the 'revision' command,
# regardless of autogenerate
# revision_environment = false

# set to true to allow .pyc and .pyo files without a source .py file to be
# detected as revisions in the versions/ directory
# sourceless = false

# version location specification; defaults to <script_location>/versions
# version_locations = [
#    "%(here)s/alembic/versions",
#    "%(here)s/foo/bar"
# ]

# set to true to search version_locations recursively for revision files
# recursive_version_locations = false

# the output encoding used when revision files are written from
# script.py.mako
# output_encoding = "utf-8"

# post_write_hooks run scripts or Python modules on newly generated revision
# files.
# [[tool.retort.post_write_hooks]]
# format using "black" - use the console_scripts runner, against the "black" entrypoint
# name = "black"
# type = "console_scripts"
# entrypoint = "black"
# options = "-l 79 REVISION_SCRIPT_FILENAME"
#
# [[tool.retort.post_write_hooks]]
# lint with attempts to fix using "ruff" - use the module runner, against the "ruff" module
# name = "ruff"
# type = "module"
# module = "ruff"
# options = "check --fix REVISION_SCRIPT_FILENAME"
