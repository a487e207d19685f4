#!/usr/bin/python3
"""Checks Strom's 2019-09/2020-12 corpus (modern-drafts.json) with python3-jsonschema, an independent
implementation. Prints one line per case ("ok" or "MISMATCH") and exits 1 on any mismatch, 2 when
jsonschema is missing.

jsonschema 4.10.3 (Debian 12) leaves $recursiveRef unimplemented (a no-op in
_legacy_validators.recursiveRef), so a 2019-09 group using it is checked in its 2020-12 translation:
"$recursiveAnchor": true becomes "$dynamicAnchor": "recursive" and "$recursiveRef": "#" becomes
"$dynamicRef": "#recursive" (plain "$ref": "#" when the group has no $recursiveAnchor), which the
specification defines to behave the same for these shapes.
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed (apt-get install -y python3-jsonschema)")
    sys.exit(2)

DRAFT2020 = "https://json-schema.org/draft/2020-12/schema"


def uses(node, key):
    if isinstance(node, dict):
        return key in node or any(uses(v, key) for v in node.values())
    if isinstance(node, list):
        return any(uses(v, key) for v in node)
    return False


def translate(node, anchored):
    if isinstance(node, list):
        return [translate(v, anchored) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$schema":
            out[key] = DRAFT2020
        elif key == "$recursiveAnchor":
            if value is True:
                out["$dynamicAnchor"] = "recursive"
        elif key == "$recursiveRef":
            if anchored:
                out["$dynamicRef"] = "#recursive"
            else:
                out["$ref"] = value
        elif key in ("enum", "const", "default", "examples"):
            out[key] = value
        else:
            out[key] = translate(value, anchored)
    return out


def main(path):
    with open(path, encoding="utf-8") as f:
        groups = json.load(f)
    mismatches = 0
    for group in groups:
        schema = group["schema"]
        draft = group["draft"]
        if draft == "2019-09" and uses(schema, "$recursiveRef"):
            schema = translate(schema, uses(schema, "$recursiveAnchor"))
            cls = jsonschema.Draft202012Validator
        else:
            cls = jsonschema.Draft201909Validator if draft == "2019-09" else jsonschema.Draft202012Validator
        cls.check_schema(schema)
        validator = cls(schema)
        for test in group["tests"]:
            got = validator.is_valid(test["data"])
            ok = got == test["valid"]
            mismatches += not ok
            print(("ok" if ok else "MISMATCH") + f"\t{draft}\t{group['description']}\t{test['description']}\texpected {test['valid']}, jsonschema says {got}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
