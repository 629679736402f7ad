"""The text normalisation behind server default, index and type comparison (no database)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from retort.autogenerate.compare.defaults import normalize_default
from retort.autogenerate.compare.indexes import normalize_sql
from retort.autogenerate.compare.types import types_differ


@pytest.mark.parametrize(
    "reflected, target",
    [
        ("'x'::character varying", "'x'"),
        ("'x'::text", "'x'"),
        ("now()", "CURRENT_TIMESTAMP"),
        ("current_timestamp()", "now()"),
        ("(now())", "now()"),
        ("5", "'5'"),
        ("'-1'::integer", "-1"),
        ("'{}'::jsonb", "'{}'"),
        ("true", "1"),
        ("'2020-01-01'::date", "'2020-01-01'"),
        ("`i` + 1", "i + 1"),
        ("(now() + '1 day'::interval)", "now() + interval '1 day'"),
        ("1.50", "1.5"),
        ("'2.50'::numeric", "2.5"),
    ],
)
def test_defaults_that_are_equal(reflected, target):
    assert normalize_default(reflected) == normalize_default(target)


@pytest.mark.parametrize(
    "reflected, target",
    [("'x'::text", "'y'"), ("'X'", "'x'"), ("5", "6"), ("now()", "current_date"), ("1.5", "1.55"),
     ("'interval'", "'1 day'")],
)
def test_defaults_that_differ(reflected, target):
    assert normalize_default(reflected) != normalize_default(target)


def test_null_default_is_no_default():
    assert normalize_default("NULL") is None


def test_index_expression_normalisation():
    assert normalize_sql("lower((name)::text)") == normalize_sql("lower(name)")
    assert normalize_sql('(b > 0)') == normalize_sql("b > 0")
    assert normalize_sql("upper(name)") != normalize_sql("lower(name)")


@pytest.mark.parametrize(
    "dialect, reflected, target, differ",
    [
        (postgresql.dialect(), sa.VARCHAR(30), sa.String(30), False),
        (postgresql.dialect(), sa.VARCHAR(30), sa.String(40), True),
        (postgresql.dialect(), sa.VARCHAR(30), sa.String(), False),
        (postgresql.dialect(), sa.INTEGER(), sa.Integer(), False),
        (postgresql.dialect(), sa.INTEGER(), sa.BigInteger(), True),
        (postgresql.dialect(), postgresql.DOUBLE_PRECISION(precision=53), sa.Float(), False),
        (postgresql.dialect(), postgresql.TIMESTAMP(), sa.DateTime(), False),
        (postgresql.dialect(), postgresql.TIMESTAMP(timezone=True), sa.DateTime(), True),
        (postgresql.dialect(), sa.REAL(), sa.Float(precision=24), False),
        (postgresql.dialect(), postgresql.DOUBLE_PRECISION(), sa.Float(precision=25), False),
        (postgresql.dialect(), sa.REAL(), sa.Float(), True),
        (postgresql.dialect(), sa.NUMERIC(10, 2), sa.Numeric(10, 2), False),
        (postgresql.dialect(), sa.NUMERIC(10, 2), sa.Numeric(12, 2), True),
        (postgresql.dialect(), sa.TEXT(), sa.String(), True),
        (mysql.dialect(), mysql.TINYINT(display_width=1), sa.Boolean(), False),
        (mysql.dialect(), mysql.INTEGER(display_width=11), sa.Integer(), False),
        (mysql.dialect(), mysql.DECIMAL(10, 2), sa.Numeric(10, 2), False),
        (mysql.dialect(), mysql.INTEGER(unsigned=True), sa.Integer(), True),
        (sqlite.dialect(), sa.DATETIME(), sa.DateTime(timezone=True), False),
        (sqlite.dialect(), sa.CHAR(32), sa.Uuid(), False),
        (sqlite.dialect(), sa.VARCHAR(), sa.Integer(), True),
    ],
)
def test_type_synonyms(dialect, reflected, target, differ):
    assert types_differ(reflected, target, dialect) is differ


def test_unknown_type_is_opaque():
    assert types_differ(sa.types.NullType(), sa.Integer(), postgresql.dialect()) is None


def test_variant_and_type_decorator_resolve_for_the_dialect():
    class MyString(sa.types.TypeDecorator):
        impl = sa.String(20)
        cache_ok = True

    assert types_differ(sa.VARCHAR(20), MyString(), postgresql.dialect()) is False
    variant = sa.Integer().with_variant(sa.String(20), "postgresql")
    assert types_differ(sa.VARCHAR(20), variant, postgresql.dialect()) is False
    assert types_differ(sa.INTEGER(), variant, sqlite.dialect()) is False
