"""Validating a JSON document against ``mirrors/schema/samizdat-mirrors-1.json`` without the jsonschema package.

Only the keywords that schema uses are understood (``type``, ``const``, ``enum``, ``pattern``, ``minimum``,
``minItems``, ``maxItems``, ``required``, ``properties``, ``additionalProperties: false``, ``items``, ``oneOf``,
``if``/``then``/``else``, local ``$ref``); any other keyword fails loudly, so the schema cannot grow a rule these
tests silently skip.
"""

import json
import re
from pathlib import Path

from django.conf import settings

SCHEMA_PATH = Path(settings.BASE_DIR) / "mirrors" / "schema" / "samizdat-mirrors-1.json"
KNOWN = {
    "$schema", "$id", "$defs", "$ref", "title", "description", "type", "const", "enum", "pattern", "minimum",
    "minItems", "maxItems", "required", "properties", "additionalProperties", "items", "oneOf", "if", "then", "else",
}  # fmt: skip
TYPES = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "null": lambda value: value is None,
}


def load_schema():
    return json.loads(SCHEMA_PATH.read_text())


def _resolve(schema, root):
    if "$ref" not in schema:
        return schema
    reference = schema["$ref"]
    assert reference.startswith("#/"), f"only local references are understood: {reference}"
    target = root
    for part in reference[2:].split("/"):
        target = target[part]
    return {**_resolve(target, root), **{key: value for key, value in schema.items() if key != "$ref"}}


def errors(value, schema=None, root=None, where="$"):
    """Every way ``value`` breaks ``schema`` (the mirror list's schema by default), each naming where."""
    root = root if root is not None else (schema if schema is not None else load_schema())
    schema = _resolve(schema if schema is not None else root, root)
    unknown = set(schema) - KNOWN
    assert not unknown, f"the schema uses keywords these tests do not check: {sorted(unknown)}"
    found = []
    if "type" in schema and not TYPES[schema["type"]](value):
        return [f"{where}: not of type {schema['type']}"]
    if "const" in schema and value != schema["const"]:
        found.append(f"{where}: is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: is not one of {schema['enum']}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        found.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if "minimum" in schema and isinstance(value, int) and value < schema["minimum"]:
        found.append(f"{where}: below {schema['minimum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
            found.append(f"{where}: has {len(value)} items")
        if "items" in schema:
            for index, item in enumerate(value):
                found += errors(item, schema["items"], root, f"{where}[{index}]")
    if isinstance(value, dict):
        found += [f"{where}: lacks {name}" for name in schema.get("required", []) if name not in value]
        properties = schema.get("properties", {})
        for name, item in value.items():
            if name in properties:
                found += errors(item, properties[name], root, f"{where}.{name}")
            elif schema.get("additionalProperties") is False:
                found.append(f"{where}: has {name}, which the schema does not allow")
    if "oneOf" in schema:
        matching = sum(1 for option in schema["oneOf"] if not errors(value, option, root, where))
        if matching != 1:
            found.append(f"{where}: matches {matching} of the oneOf choices, not exactly one")
    if "if" in schema:
        branch = "then" if not errors(value, schema["if"], root, where) else "else"
        if branch in schema:
            found += errors(value, schema[branch], root, where)
    return found
