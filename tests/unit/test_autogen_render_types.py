"""Rendering of types (generic, dialect, nested, variants, user types), render_item,
user_module_prefix, the imports set, module prefixes and render_as_batch blocks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mssql, mysql, oracle, postgresql, sqlite

from retort.autogenerate.render import (
    FOOTER,
    HEADER,
    render_python_code,
    render_python_code_with_imports,
    renderers,
)
from retort.operations import ops


def body(*lines: str) -> str:
    return "\n    ".join([HEADER, *lines, FOOTER])


def render(*op_list, **kw) -> str:
    """Render the ops; a set passed as ``imports`` collects the import lines the code needs."""
    imports = kw.pop("imports", ())
    text, needed = render_python_code_with_imports(ops.UpgradeOps(ops=list(op_list)), imports=imports, **kw)
    if isinstance(imports, set):
        imports.update(needed)
    return text


def render_type(type_, **kw) -> tuple[str, set[str]]:
    imports: set[str] = set()
    text = render(ops.AddColumnOp("t", sa.Column("c", type_)), imports=imports, **kw)
    prefix = HEADER + "\n    op.add_column('t', sa.Column('c', "
    suffix = ", nullable=True))\n    " + FOOTER
    assert text.startswith(prefix) and text.endswith(suffix), text
    return text[len(prefix) : -len(suffix)], imports


PG = "from sqlalchemy.dialects import postgresql"
MY = "from sqlalchemy.dialects import mysql"

TYPE_CASES = [
    (sa.Integer(), "sa.Integer()", set()),
    (sa.Integer, "sa.Integer()", set()),
    (sa.String(10, collation="utf8_bin"), "sa.String(length=10, collation='utf8_bin')", set()),
    (sa.Unicode(20), "sa.Unicode(length=20)", set()),
    (sa.Text(), "sa.Text()", set()),
    (sa.CHAR(3), "sa.CHAR(length=3)", set()),
    (sa.Numeric(10, 2), "sa.Numeric(precision=10, scale=2)", set()),
    (sa.Numeric(asdecimal=False), "sa.Numeric(asdecimal=False)", set()),
    (sa.Float(precision=5), "sa.Float(precision=5)", set()),
    (sa.Double(), "sa.Double()", set()),
    (sa.Boolean(), "sa.Boolean()", set()),
    (sa.Date(), "sa.Date()", set()),
    (sa.DateTime(timezone=True), "sa.DateTime(timezone=True)", set()),
    (sa.TIMESTAMP(), "sa.TIMESTAMP()", set()),
    (sa.Interval(), "sa.Interval()", set()),
    (sa.LargeBinary(10), "sa.LargeBinary(length=10)", set()),
    (sa.PickleType(), "sa.PickleType()", set()),
    (sa.Uuid(as_uuid=False), "sa.Uuid(as_uuid=False)", set()),
    (sa.JSON(none_as_null=True), "sa.JSON(none_as_null=True)", set()),
    (sa.ARRAY(sa.Integer), "sa.ARRAY(sa.Integer())", set()),
    (sa.Enum("a", "b", native_enum=False, length=5), "sa.Enum('a', 'b', native_enum=False, length=5)", set()),
    (
        sa.Enum("x'y", name="q", schema="s", create_constraint=True),
        "sa.Enum(\"x'y\", name='q', create_constraint=True, schema='s')",
        set(),
    ),
    (sa.types.NullType(), "sa.types.NullType()", set()),
    (mssql.NVARCHAR(50), "sa.NVARCHAR(length=50)", set()),
    (postgresql.JSONB(), "postgresql.JSONB(astext_type=sa.Text())", {PG}),
    (postgresql.ARRAY(postgresql.INET), "postgresql.ARRAY(postgresql.INET())", {PG}),
    (postgresql.ARRAY(sa.String(5), dimensions=2), "postgresql.ARRAY(sa.String(length=5), dimensions=2)", {PG}),
    (postgresql.HSTORE(), "postgresql.HSTORE(text_type=sa.Text())", {PG}),
    (postgresql.ENUM("a", name="e", create_type=False), "postgresql.ENUM('a', name='e', create_type=False)", {PG}),
    (postgresql.TIMESTAMP(timezone=True), "postgresql.TIMESTAMP(timezone=True)", {PG}),
    (postgresql.INTERVAL(fields="DAY"), "postgresql.INTERVAL(fields='DAY')", {PG}),
    (postgresql.INT4RANGE(), "postgresql.INT4RANGE()", {PG}),
    (mysql.VARCHAR(3, charset="utf8"), "mysql.VARCHAR(charset='utf8', length=3)", {MY}),
    (mysql.INTEGER(display_width=11, unsigned=True), "mysql.INTEGER(display_width=11, unsigned=True)", {MY}),
    (mysql.SET("a", "b"), "mysql.SET('a', 'b')", {MY}),
    (sqlite.DATETIME(), "sqlite.DATETIME()", {"from sqlalchemy.dialects import sqlite"}),
    (oracle.NUMBER(10, 2), "oracle.NUMBER(precision=10, scale=2, asdecimal=True)", {"from sqlalchemy.dialects import oracle"}),
    (
        sa.String(10).with_variant(mysql.VARCHAR(10, charset="utf8"), "mysql"),
        "sa.String(length=10).with_variant(mysql.VARCHAR(charset='utf8', length=10), 'mysql')",
        {MY},
    ),
    (
        sa.BigInteger().with_variant(sa.Integer(), "sqlite").with_variant(mysql.BIGINT(), "mysql"),
        "sa.BigInteger().with_variant(mysql.BIGINT(), 'mysql').with_variant(sa.Integer(), 'sqlite')",
        {MY},
    ),
]


@pytest.mark.parametrize("type_, expected, imports", TYPE_CASES, ids=[c[1] for c in TYPE_CASES])
def test_type_renders_with_prefix_and_import(type_, expected, imports):
    text, found = render_type(type_)
    assert text == expected
    assert found == imports


class MyType(sa.types.TypeDecorator):
    impl = sa.String
    cache_ok = True


class MyUserType(sa.types.UserDefinedType):
    cache_ok = True

    def __init__(self, n: int = 3) -> None:
        self.n = n

    def get_col_spec(self, **kw) -> str:
        return "FOO"


def test_user_type_uses_its_module_and_imports_it():
    text, imports = render_type(MyType(30))
    assert text == f"{__name__}.MyType(length=30)"
    assert imports == {f"import {__name__}"}
    text, _ = render_type(MyUserType(4))
    assert text == f"{__name__}.MyUserType(n=4)"


def test_user_module_prefix_and_sqlalchemy_prefix():
    text = render(
        ops.AddColumnOp("t", sa.Column("x", MyType(30))),
        ops.AddColumnOp("t", sa.Column("z", postgresql.JSONB)),
        sqlalchemy_module_prefix="sqla.",
        alembic_module_prefix="o.",
        user_module_prefix="mt.",
    )
    assert text == body(
        "o.add_column('t', sqla.Column('x', mt.MyType(length=30), nullable=True))",
        "o.add_column('t', sqla.Column('z', postgresql.JSONB(astext_type=sqla.Text()), nullable=True))",
    )


def test_render_item_overrides_types_defaults_and_adds_imports():
    seen = []

    def render_item(type_, obj, autogen_context):
        seen.append(type_)
        if type_ == "type" and isinstance(obj, MyType):
            autogen_context.imports.add("import myapp")
            return "myapp.MyType()"
        if type_ == "server_default":
            return "'RENDERED'"
        return False

    imports: set[str] = set()
    table = sa.Table(
        "q",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("f", sa.Integer, sa.ForeignKey("o.id")),
        sa.UniqueConstraint("f"),
        sa.CheckConstraint("f>1"),
    )
    text = render(
        ops.AddColumnOp("t", sa.Column("x", MyType(30), server_default="q", comment="z")),
        ops.CreateTableOp.from_table(table),
        render_item=render_item,
        imports=imports,
    )
    assert text == body(
        "op.add_column('t', sa.Column('x', myapp.MyType(), server_default='RENDERED', nullable=True, comment='z'))",
        "op.create_table('q',",
        "sa.Column('id', sa.Integer(), nullable=False),",
        "sa.Column('f', sa.Integer(), nullable=True),",
        "sa.CheckConstraint('f>1'),",
        "sa.ForeignKeyConstraint(['f'], ['o.id'], ),",
        "sa.PrimaryKeyConstraint('id'),",
        "sa.UniqueConstraint('f')",
        ")",
    )
    assert imports == {"import myapp"}
    assert {"column", "type", "server_default", "primary_key", "foreign_key", "unique", "check"} <= set(seen)


def test_render_item_can_replace_a_whole_constraint():
    def render_item(type_, obj, autogen_context):
        if type_ == "unique":
            return "my.Unique()"
        return False

    table = sa.Table("q", sa.MetaData(), sa.Column("f", sa.Integer), sa.UniqueConstraint("f"))
    assert render(ops.CreateTableOp.from_table(table), render_item=render_item) == body(
        "op.create_table('q',",
        "sa.Column('f', sa.Integer(), nullable=True),",
        "my.Unique()",
        ")",
    )


def test_imports_tuple_is_accepted():
    text = render(ops.AddColumnOp("t", sa.Column("z", postgresql.JSONB)), imports=("import x",))
    assert "postgresql.JSONB" in text


def _batch_ops():
    return ops.ModifyTableOps(
        "t",
        [
            ops.AddColumnOp("t", sa.Column("x", sa.Integer), schema="s"),
            ops.DropColumnOp("t", "y", schema="s"),
            ops.AlterColumnOp("t", "c", schema="s", modify_nullable=False, existing_type=sa.Integer()),
            ops.CreateIndexOp("ix", "t", ["a"], schema="s"),
            ops.DropIndexOp("ix2", "t", schema="s"),
            ops.CreateUniqueConstraintOp("uq", "t", ["a"], schema="s"),
            ops.CreateForeignKeyOp("fk", "t", "r", ["a"], ["b"], source_schema="s", referent_schema="s"),
            ops.DropConstraintOp("fk", "t", type_="foreignkey", schema="s"),
            ops.CreateCheckConstraintOp("ck", "t", "a>1", schema="s"),
            ops.CreatePrimaryKeyOp("pk", "t", ["a"], schema="s"),
            ops.CreateTableCommentOp("t", "c", schema="s"),
            ops.DropTableCommentOp("t", schema="s", existing_comment="c"),
        ],
        schema="s",
    )


def test_render_as_batch_block():
    text = render(
        _batch_ops(),
        ops.CreateTableOp("z", [sa.Column("a", sa.Integer)]),
        render_as_batch=True,
    )
    expected = "\n".join(
        [
            HEADER,
            "    with op.batch_alter_table('t', schema='s') as batch_op:",
            "        batch_op.add_column(sa.Column('x', sa.Integer(), nullable=True))",
            "        batch_op.drop_column('y')",
            "        batch_op.alter_column('c',",
            "               existing_type=sa.Integer(),",
            "               nullable=False)",
            "        batch_op.create_index('ix', ['a'], unique=False)",
            "        batch_op.drop_index('ix2')",
            "        batch_op.create_unique_constraint('uq', ['a'])",
            "        batch_op.create_foreign_key('fk', 'r', ['a'], ['b'], referent_schema='s')",
            "        batch_op.drop_constraint('fk', type_='foreignkey')",
            "        batch_op.create_check_constraint('ck', 'a>1')",
            "        batch_op.create_primary_key('pk', ['a'])",
            "        batch_op.create_table_comment(",
            "        'c',",
            "        existing_comment=None",
            "    )",
            "        batch_op.drop_table_comment(",
            "        existing_comment='c'",
            "    )",
            "",
            "    op.create_table('z',",
            "    sa.Column('a', sa.Integer(), nullable=True)",
            "    )",
            "    " + FOOTER,
        ]
    )
    assert text == expected


def test_without_batch_modify_table_ops_flatten():
    text = render(
        ops.ModifyTableOps("t", [ops.DropColumnOp("t", "y"), ops.DropColumnOp("t", "z")]),
    )
    assert text == body("op.drop_column('t', 'y')", "op.drop_column('t', 'z')")


def test_empty_modify_table_ops_render_nothing():
    assert render(ops.ModifyTableOps("t", [], schema="s"), render_as_batch=True) == body("pass")
    assert render(ops.ModifyTableOps("t", [])) == body("pass")


def test_custom_renderer_registered_for_a_plugin_op():
    class CreateSequenceOp(ops.MigrateOperation):
        def __init__(self, sequence_name, schema=None):
            self.sequence_name = sequence_name
            self.schema = schema

    @renderers.dispatch_for(CreateSequenceOp)
    def render_create_sequence(autogen_context, op):
        return "op.create_sequence(%r, **%r)" % (op.sequence_name, {"schema": op.schema})

    assert render(CreateSequenceOp("my_sequence_1")) == body(
        "op.create_sequence('my_sequence_1', **{'schema': None})"
    )


def test_unknown_op_names_the_class():
    class Mystery(ops.MigrateOperation):
        pass

    with pytest.raises(ValueError, match="Mystery"):
        render(Mystery())


def test_renderer_may_return_a_list_of_lines():
    class TwoLines(ops.MigrateOperation):
        pass

    renderers.dispatch_for(TwoLines)(lambda ctx, op: ["op.a()", "op.b()"])
    assert render(TwoLines()) == body("op.a()", "op.b()")


def test_domain_renders_its_options():
    text, imports = render_type(
        postgresql.DOMAIN("d", sa.Integer(), check="VALUE > 0", not_null=True, default="5",
                          collation="C", constraint_name="cc")
    )
    assert text == (
        "postgresql.DOMAIN('d', sa.Integer(), collation='C', default='5', constraint_name='cc', "
        "not_null=True, check='VALUE > 0')"
    )
    assert render_type(postgresql.DOMAIN("d", sa.Integer()))[0] == "postgresql.DOMAIN('d', sa.Integer())"


def test_alter_column_identity_and_computed_render_as_server_default():
    text = render(
        ops.AlterColumnOp("t", "c", modify_server_default=sa.Identity(start=5),
                          existing_server_default=sa.Identity(start=1), existing_type=sa.Integer()),
        ops.AlterColumnOp("t", "c", modify_server_default=sa.Computed("a+1"), existing_type=sa.Integer()),
    )
    assert text == body(
        "op.alter_column('t', 'c',",
        "           existing_type=sa.Integer(),",
        "           server_default=sa.Identity(always=False, start=5))",
        "op.alter_column('t', 'c',",
        "           existing_type=sa.Integer(),",
        "           server_default=sa.Computed('a+1', ))",
    )


def test_exclude_constraint_in_create_table_and_as_op():
    from sqlalchemy.dialects.postgresql import TSRANGE, ExcludeConstraint

    table = sa.Table(
        "t", sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("room", sa.Integer),
        sa.Column("during", TSRANGE),
        ExcludeConstraint(("room", "="), ("during", "&&"), name="no_overlap", using="gist",
                          where=sa.text("room > 3")),
    )
    imports: set[str] = set()
    text = render(ops.CreateTableOp.from_table(table), imports=imports)
    assert (
        "postgresql.ExcludeConstraint((sa.column('room'), '='), (sa.column('during'), '&&'), "
        "where=sa.text('room > 3'), using='gist', name='no_overlap'),"
    ) in text
    assert imports == {"from sqlalchemy.dialects import postgresql"}
    constraint = next(c for c in table.constraints if c.name == "no_overlap")
    op = ops.CreateExcludeConstraintOp.from_constraint(constraint)
    assert render(op) == body(
        "op.create_exclude_constraint('no_overlap', 't', (sa.column('room'), '='), "
        "(sa.column('during'), '&&'), where=sa.text('room > 3'), using='gist')"
    )
    assert render(ops.ModifyTableOps("t", [op]), render_as_batch=True).splitlines()[2] == (
        "        batch_op.create_exclude_constraint('no_overlap', (sa.column('room'), '='), "
        "(sa.column('during'), '&&'), where=sa.text('room > 3'), using='gist')"
    )


def test_user_renderer_replaces_a_builtin_one():
    original = renderers.find(ops.DropTableOp)
    try:
        @renderers.dispatch_for(ops.DropTableOp)
        def careful_drop(autogen_context, op):
            return f"op.execute('DROP TABLE IF EXISTS {op.table_name}')"

        assert render(ops.DropTableOp("t")) == body("op.execute('DROP TABLE IF EXISTS t')")
    finally:
        renderers.register(ops.DropTableOp, original)
    assert render(ops.DropTableOp("t")) == body("op.drop_table('t')")
