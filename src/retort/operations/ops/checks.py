"""Argument checks for directives: errors name the directive and the argument."""

from __future__ import annotations

from typing import Any


def check_name(directive: str, argument: str, value: Any, *, optional: bool = False) -> None:
    """Raise TypeError / ValueError unless ``value`` is a usable name."""
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise TypeError(
            f"{directive}(): argument {argument!r} must be a string, got {type(value).__name__} ({value!r})"
        )
    if not value:
        raise ValueError(f"{directive}(): argument {argument!r} must not be empty")


def check_type(directive: str, argument: str, value: Any, types: Any, what: str) -> None:
    """Raise TypeError unless ``value`` is an instance of ``types``."""
    if not isinstance(value, types):
        raise TypeError(
            f"{directive}(): argument {argument!r} must be a {what}, got {type(value).__name__} ({value!r})"
        )


def check_names(directive: str, argument: str, values: Any, *, allow_expressions: bool = False) -> list[Any]:
    """Raise unless ``values`` is a non-empty list of names (or expressions)."""
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise TypeError(
            f"{directive}(): argument {argument!r} must be a list of column names, got {values!r}"
        )
    items = list(values)
    if not items:
        raise ValueError(f"{directive}(): argument {argument!r} must name at least one column")
    for item in items:
        if isinstance(item, str):
            if not item:
                raise ValueError(f"{directive}(): argument {argument!r} contains an empty name")
        elif not allow_expressions:
            raise TypeError(
                f"{directive}(): argument {argument!r} must contain column names (strings), got {item!r}"
            )
    return items
