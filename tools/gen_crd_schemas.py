"""Generates the JSON Schemas in schemas/crds/ from upstream CRD manifests (structure only).

Run from a checkout that has the reference CRDs (this workplace: ../shared/crds); a user's clone only needs the
generated files, which are committed together with schemas/crds/SOURCES.md (upstream, commit, version).

    python tools/gen_crd_schemas.py ../shared/crds

Descriptions are stripped (they are 90% of the bytes). The schemas are made strict: every object schema that
lists `properties` and neither preserves unknown fields nor sets `additionalProperties` rejects unknown keys.
The API server would silently prune such a key — an Argo CD `syncPolicy.automated.selfheal` typo would just
turn self-heal off — so the gate refuses it instead.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).resolve().parent.parent / "schemas" / "crds"
_DROP_KEYS = {"description", "example", "externalDocs"}


def strip(node: Any) -> Any:
    """Strip a schema node. Keys of `properties` are field names (AppProject has a `description` field)."""
    if isinstance(node, dict):
        cleaned = {key: strip(value) for key, value in node.items() if key not in _DROP_KEYS}
        if isinstance(node.get("properties"), dict):
            cleaned["properties"] = {name: strip(sub) for name, sub in node["properties"].items()}
        if ("properties" in cleaned and "additionalProperties" not in cleaned
                and not cleaned.get("x-kubernetes-preserve-unknown-fields")):
            cleaned["additionalProperties"] = False
        return cleaned
    if isinstance(node, list):
        return [strip(item) for item in node]
    return node


def schemas_from_crd(crd: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    spec = crd["spec"]
    group, kind = spec["group"], spec["names"]["kind"]
    out = []
    for version in spec["versions"]:
        schema = strip(version["schema"]["openAPIV3Schema"])
        props = schema.setdefault("properties", {})
        # metadata is validated by the API server, not by the CRD schema; apiVersion/kind are pinned here
        props["metadata"] = {"type": "object"}
        props["apiVersion"] = {"type": "string", "enum": [f"{group}/{version['name']}"]}
        props["kind"] = {"type": "string", "enum": [kind]}
        schema["$schema"] = "http://json-schema.org/draft-07/schema#"
        out.append((f"{group}/{kind.lower()}_{version['name']}.json", schema))
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python tools/gen_crd_schemas.py <directory of CRD yaml files>", file=sys.stderr)
        return 2
    count = 0
    for path in sorted(Path(argv[1]).rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if not isinstance(doc, dict) or doc.get("kind") != "CustomResourceDefinition":
                continue
            for relative, schema in schemas_from_crd(doc):
                target = OUT / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(schema, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
                count += 1
    print(f"wrote {count} schemas under {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
