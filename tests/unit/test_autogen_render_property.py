"""Property: a rendered column evaluates back to an equivalent column, for
generated names, types (generic and dialect), defaults, comments and nullability."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import mysql, postgresql, sqlite

from retort.autogenerate.render import render_python_code_with_imports
from retort.operations import ops

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_'\" ", min_size=1, max_size=12)
lengths = st.integers(min_value=1, max_value=4000)

types = st.one_of(
    st.builds(sa.String, lengths),
    st.builds(sa.String, lengths, collation=st.sampled_from(["C", "utf8_bin"])),
    st.builds(sa.Numeric, st.integers(1, 30), st.integers(0, 10)),
    st.sampled_from([sa.Integer(), sa.BigInteger(), sa.SmallInteger(), sa.Text(), sa.Date(), sa.Boolean(),
                     sa.LargeBinary(), sa.Float(), sa.Double(), sa.Interval(), sa.JSON(), sa.Uuid(),
                     sa.types.NullType()]),
    st.builds(sa.DateTime, timezone=st.booleans()),
    st.builds(lambda vals: sa.Enum(*vals, name="e"), st.lists(names, min_size=1, max_size=4, unique=True)),
    st.builds(postgresql.ARRAY, st.sampled_from([sa.Integer(), sa.String(5), postgresql.INET()])),
    st.sampled_from([postgresql.JSONB(), postgresql.TIMESTAMP(timezone=True), postgresql.BYTEA(),
                     postgresql.HSTORE(), mysql.TINYINT(1), mysql.INTEGER(unsigned=True),
                     sqlite.DATETIME()]),
    st.builds(lambda n: mysql.VARCHAR(n, charset="utf8mb4"), lengths),
    st.builds(lambda n: sa.String(n).with_variant(mysql.VARCHAR(n, charset="utf8"), "mysql"), lengths),
)

defaults = st.one_of(
    st.none(),
    names,
    st.builds(sa.text, st.sampled_from(["0", "now()", "'x'::text", "CURRENT_TIMESTAMP"])),
)


def _eval_column(text: str) -> sa.Column:
    namespace: dict = {"sa": sa, "postgresql": postgresql, "mysql": mysql, "sqlite": sqlite}
    return eval(text, namespace)


@settings(max_examples=150, deadline=None)
@given(name=names, type_=types, default=defaults, nullable=st.booleans(), comment=st.none() | names)
def test_rendered_column_evaluates_to_the_same_column(name, type_, default, nullable, comment):
    column = sa.Column(name, type_, server_default=default, nullable=nullable, comment=comment)
    text, imports = render_python_code_with_imports(ops.UpgradeOps([ops.AddColumnOp("t", column)]))
    call = text.splitlines()[1].strip()
    prefix = "op.add_column('t', "
    assert call.startswith(prefix) and call.endswith(")")
    rebuilt = _eval_column(call[len(prefix):-1])

    assert rebuilt.name == column.name
    assert repr(rebuilt.type) == repr(column.type)
    assert type(rebuilt.type) is type(column.type)
    assert getattr(rebuilt.type, "_variant_mapping", {}).keys() == getattr(column.type, "_variant_mapping", {}).keys()
    assert rebuilt.nullable == column.nullable
    assert rebuilt.comment == column.comment
    if default is None:
        assert rebuilt.server_default is None
    else:
        got = rebuilt.server_default.arg
        want = column.server_default.arg
        assert (got if isinstance(got, str) else got.text) == (want if isinstance(want, str) else want.text)
    for line in imports:
        assert line.startswith("from sqlalchemy.dialects import ")
