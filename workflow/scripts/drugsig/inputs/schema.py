"""JSON-schema validation with messages that name the file, the row and the problem."""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Callable, Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from drugsig.errors import InputError


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Load the packaged schema ``drugsig/inputs/schemas/{name}.schema.yaml``."""
    text = files("drugsig.inputs").joinpath("schemas", f"{name}.schema.yaml").read_text()
    return yaml.safe_load(text)


@cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name))


def _subschema(schema: dict[str, Any], path: list[str | int]) -> dict[str, Any]:
    """Find the schema node that describes the instance at ``path``."""
    node = schema
    for part in path:
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, {})
    return node


def describe_error(error: ValidationError, schema: dict[str, Any]) -> str:
    """Turn a jsonschema error into one plain sentence naming the key and the problem."""
    location = ".".join(str(part) for part in error.absolute_path)
    where = f"'{location}'" if location else "top level"
    node = _subschema(schema, list(error.absolute_path))
    if error.validator == "additionalProperties":
        allowed = sorted(_subschema(schema, list(error.absolute_path)).get("properties", {}))
        unexpected = sorted(set(error.instance) - set(allowed))
        parts = []
        for key in unexpected:
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            parts.append(f"unknown key '{key}'{hint}")
        return f"{where}: {'; '.join(parts)}. Allowed keys: {', '.join(allowed)}."
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return f"{where}: required key '{missing}' is missing."
    if error.validator == "pattern" and "description" in node:
        return f"{where}: {error.instance!r} is not allowed; expected {node['description']}."
    if error.validator == "enum":
        choices = ", ".join(str(value) for value in error.validator_value)
        return f"{where}: {error.instance!r} is not one of {choices}."
    return f"{where}: {error.message}."


def validate(instance: dict[str, Any], schema_name: str, where: str) -> None:
    """Validate ``instance`` against a workflow schema; raise on the first problem.

    Parameters
    ----------
    instance
        The mapping to check (a config, or one row of a sheet).
    schema_name
        Schema file stem in ``drugsig/inputs/schemas``, e.g. ``"samples"``.
    where
        Prefix of the error message, e.g. ``"config/samples.tsv, line 4 (sample 'x')"``.

    Raises
    ------
    InputError
        With ``where`` and the problem.
    """
    validator = _validator(schema_name)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        raise InputError(f"{where}: {describe_error(errors[0], validator.schema)}")


# Schema keywords :func:`row_check` understands (a sheet schema of string columns).
_SHEET_KEYWORDS = {"$schema", "title", "description", "type", "properties", "required"}
_COLUMN_KEYWORDS = {"type", "pattern", "enum", "description"}


@cache
def row_check(schema_name: str) -> Callable[[Mapping[str, Any]], bool] | None:
    """Build a fast test of one sheet row against a workflow schema, for large sheets.

    The returned function gives ``True`` for a row that satisfies the schema and
    ``False`` for one that may not: pass that row to :func:`validate`, which raises with
    the message. It agrees with jsonschema for a schema of string columns checked by
    ``pattern`` (searched like jsonschema does) and ``enum``, with ``required`` columns;
    for a schema using any other keyword it is ``None`` (validate every row).
    """
    schema = load_schema(schema_name)
    columns = schema.get("properties", {})
    if set(schema) - _SHEET_KEYWORDS or schema.get("type") != "object":
        return None
    if any(
        set(node) - _COLUMN_KEYWORDS or node.get("type") != "string" for node in columns.values()
    ):
        return None
    required = tuple(schema.get("required", ()))
    patterns = {
        name: re.compile(node["pattern"]).search
        for name, node in columns.items()
        if "pattern" in node
    }
    enums = {name: node["enum"] for name, node in columns.items() if "enum" in node}

    def check(row: Mapping[str, Any]) -> bool:
        if not all(name in row for name in required):
            return False
        for name, value in row.items():
            if name not in columns:
                continue
            if not isinstance(value, str):
                return False
            if name in patterns and not patterns[name](value):
                return False
            if name in enums and value not in enums[name]:
                return False
        return True

    return check


def fill_defaults(instance: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``instance`` with the schema's defaults filled in, recursively."""
    result = copy.deepcopy(instance)
    for key, node in schema.get("properties", {}).items():
        if key not in result and "default" in node:
            result[key] = copy.deepcopy(node["default"])
        if isinstance(result.get(key), dict) and node.get("type") == "object":
            result[key] = fill_defaults(result[key], node)
    return result


def validate_config(config: dict[str, Any], source: str) -> dict[str, Any]:
    """Validate the workflow config and return it with defaults filled in.

    Raises
    ------
    InputError
        Naming ``source`` (the config file) and the offending key, with a
        did-you-mean suggestion for misspelt keys.
    """
    validate(config, "config", source)
    return fill_defaults(config, load_schema("config"))


def check_inputs_mode(config: dict[str, Any], source: str) -> None:
    """Check the keys that depend on each other: FASTQ mode vs count-matrix mode.

    FASTQ mode (no ``counts``) needs ``units`` and a reference given either as
    ``fasta`` + ``gtf`` or as a ``preset``; count-matrix mode needs neither (a
    ``reference.gtf`` there only supplies gene names).

    Raises
    ------
    InputError
        Naming ``source`` and what is missing or contradictory.
    """
    reference = config.get("reference") or {}
    if reference.get("preset") and (reference.get("fasta") or reference.get("gtf")):
        raise InputError(
            f"{source}: 'reference' has both a preset and fasta/gtf paths; give one or the other."
        )
    if config.get("counts"):
        if reference.get("fasta") and not reference.get("gtf"):
            raise InputError(
                f"{source}: with 'counts' the reference only supplies gene names: give "
                "reference.gtf (or no reference at all)."
            )
        return
    if not config.get("units"):
        raise InputError(
            f"{source}: top level: required key 'units' is missing (or give 'counts' to "
            "start from a count matrix)."
        )
    if not reference.get("preset") and not (reference.get("fasta") and reference.get("gtf")):
        raise InputError(
            f"{source}: 'reference' needs fasta and gtf paths, or a preset "
            "({source: ensembl|gencode, release: N})."
        )
