"""Checks every example in openapi.yaml against its schema (JSON Schema 2020-12). Usage: validate_openapi_examples.py [openapi.yaml]"""
import sys, yaml, json
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

doc = yaml.safe_load(open(sys.argv[1] if len(sys.argv) > 1 else "openapi.yaml"))
registry = Registry().with_resource("urn:oa", Resource.from_contents(doc, default_specification=DRAFT202012))
Draft202012Validator.check_schema  # noqa

def esc(k): return str(k).replace("~", "~0").replace("/", "~1")

def resolve(obj):
    while isinstance(obj, dict) and "$ref" in obj and obj["$ref"].startswith("#/components/") and len(obj) == 1:
        node = doc
        for part in obj["$ref"][2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        obj = node
    return obj

count = 0; errors = 0
def check(schema_ptr, value, where):
    global count, errors
    count += 1
    v = Draft202012Validator({"$ref": "urn:oa#" + schema_ptr}, registry=registry, format_checker=FormatChecker())
    errs = list(v.iter_errors(value))
    if errs:
        errors += 1
        for e in errs[:5]:
            print("FAIL", where, "->", e.message[:300], list(e.absolute_path))

def walk(node, ptr):
    if isinstance(node, dict):
        # media type objects / parameters / headers: schema + example(s)
        if "schema" in node and ("example" in node or "examples" in node):
            sptr = ptr + "/schema"
            if "example" in node:
                check(sptr, node["example"], ptr + "/example")
            for name, ex in (node.get("examples") or {}).items():
                ex = resolve(ex)
                if "value" in ex:
                    check(sptr, ex["value"], ptr + "/examples/" + name)
        # schema objects with `examples` arrays
        if ptr.startswith("/components/schemas/") and isinstance(node.get("examples"), list):
            for i, ex in enumerate(node["examples"]):
                check(ptr, ex, ptr + f"/examples/{i}")
        for k, v in node.items():
            walk(v, ptr + "/" + esc(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            walk(v, ptr + f"/{i}")

walk(doc, "")
# every components.examples entry must be referenced somewhere
text = json.dumps(doc)
unused = [k for k in doc["components"]["examples"] if f'"#/components/examples/{k}"' not in text]
for kind in ["responses", "parameters", "headers", "schemas"]:
    for k in doc["components"][kind]:
        if f'"#/components/{kind}/{k}"' not in text:
            unused.append(f"{kind}/{k}")
print(f"{count} examples checked, {errors} failing; unreferenced components: {unused}")
sys.exit(1 if errors else 0)
