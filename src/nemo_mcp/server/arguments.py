"""Arguments a tool refuses, said in a sentence: never pydantic's dump, never the value that was sent.

The SDK validates a call's arguments against the tool's input schema and, when they do not fit, answers
with pydantic's error text: several lines of types and `input_value=…`, which echoes whatever the model
sent (10 MB of it, once). `argument_problems` turns the same errors into one sentence naming each argument
and what it must be, with the argument's own description when it is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

# What an error type says the argument must be, in words a model reads.
_EXPECTED = {
    "string_type": "text",
    "list_type": "a list of texts",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "finite_number": "a finite number",
    "dict_type": "an object",
}


def argument_problems(tool: str, error: ValidationError, schema: Mapping[str, Any] | None = None) -> str:
    """One sentence about every argument of `tool` that did not fit, e.g. "source is required (...)"."""
    by_argument: dict[str, list[ErrorDetails]] = {}
    for detail in error.errors(include_url=False, include_input=False):
        name = str(detail["loc"][0]) if detail["loc"] else "the arguments"
        by_argument.setdefault(name, []).append(detail)
    properties = (schema or {}).get("properties", {})
    problems = [_problem(name, details, properties.get(name, {})) for name, details in by_argument.items()]
    return f"{tool} cannot run with these arguments: {'; '.join(problems)}."


def _problem(name: str, details: list[ErrorDetails], schema: Mapping[str, Any]) -> str:
    kinds = [detail["type"] for detail in details]
    if "missing" in kinds:
        described = str(schema.get("description", "")).strip().rstrip(".")
        return f"{name} is required" + (f" ({described[:160]})" if described else "")
    for detail in details:
        context = detail.get("ctx") or {}
        if detail["type"] == "string_too_long":
            return f"{name} is too long (at most {context.get('max_length')} characters)"
        if detail["type"] == "too_long":
            return f"{name} has too many items (at most {context.get('max_length')})"
    expected = sorted({_EXPECTED[kind] for kind in kinds if kind in _EXPECTED})
    if expected:
        return f"{name} must be {' or '.join(expected)}"
    return f"{name}: {details[0]['msg'][:120]}"


__all__ = ["argument_problems"]
