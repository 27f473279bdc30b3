"""A container's effective environment, as the kubelet and then Onyx's code would see it.

Order (Kubernetes): `envFrom` sources in order (later wins), then `env` entries in order (override envFrom);
`$(VAR)` in a value expands to an earlier variable; `valueFrom` reads the rendered ConfigMap/Secret or the
pod's own fields. Then Onyx's code defaults fill what is unset or empty (Onyx reads `os.environ.get(X) or
default`), e.g. INDEXING_MODEL_SERVER_HOST falls back to MODEL_SERVER_HOST, which falls back to localhost
(fact sheet §4, SC:9-19).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

_REFERENCE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)|\$\$")


@dataclass
class EffectiveEnv:
    values: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    missing: list[dict[str, Any]] = field(default_factory=list)  # references to objects absent from the render


class ObjectIndex:
    """The rendered ConfigMaps and Secrets of one namespace, by name, as string maps."""

    def __init__(self) -> None:
        self.config_maps: dict[tuple[str, str], dict[str, str]] = {}
        self.secrets: dict[tuple[str, str], dict[str, str]] = {}

    def add(self, obj: dict[str, Any], namespace: str) -> None:
        name = (obj.get("metadata") or {}).get("name", "")
        if obj.get("kind") == "ConfigMap":
            self.config_maps[(namespace, name)] = {k: str(v) for k, v in (obj.get("data") or {}).items()}
        elif obj.get("kind") == "Secret":
            values = {k: _b64(v) for k, v in (obj.get("data") or {}).items()}
            values.update({k: str(v) for k, v in (obj.get("stringData") or {}).items()})
            self.secrets[(namespace, name)] = values


def _b64(value: Any) -> str:
    try:
        return base64.b64decode(str(value), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


def effective_env(container: dict[str, Any], namespace: str, pod_meta: dict[str, Any], index: ObjectIndex,
                  defaults: dict[str, dict[str, str]] | None) -> EffectiveEnv:
    result = EffectiveEnv()
    for source in container.get("envFrom") or []:
        _apply_env_from(source, namespace, index, result)
    for entry in container.get("env") or []:
        name = entry.get("name")
        if not name:
            continue
        if "valueFrom" in entry:
            value, origin = _value_from(entry["valueFrom"], namespace, pod_meta, index, result, name)
            if value is None:
                result.values.pop(name, None)
                result.sources[name] = origin
                continue
        else:
            value, origin = _expand(str(entry.get("value", "")), result.values), "env"
        result.values[name] = value
        result.sources[name] = origin
    if defaults:
        _apply_defaults(defaults, result)
    return result


def _apply_env_from(source: dict[str, Any], namespace: str, index: ObjectIndex, result: EffectiveEnv) -> None:
    prefix = source.get("prefix", "")
    for key, kind, table in (("configMapRef", "ConfigMap", index.config_maps), ("secretRef", "Secret", index.secrets)):
        ref = source.get(key)
        if not ref:
            continue
        name = ref.get("name", "")
        data = table.get((namespace, name))
        if data is None:
            result.missing.append({"kind": kind, "name": name, "optional": bool(ref.get("optional")), "via": "envFrom"})
            continue
        for var, value in data.items():
            result.values[prefix + var] = value
            result.sources[prefix + var] = f"{kind}/{name}"


def _value_from(value_from: dict[str, Any], namespace: str, pod_meta: dict[str, Any], index: ObjectIndex,
                result: EffectiveEnv, var: str) -> tuple[str | None, str]:
    for key, kind, table in (("configMapKeyRef", "ConfigMap", index.config_maps),
                             ("secretKeyRef", "Secret", index.secrets)):
        ref = value_from.get(key)
        if not ref:
            continue
        name, item = ref.get("name", ""), ref.get("key", "")
        data = table.get((namespace, name))
        if data is None or item not in data:
            result.missing.append({"kind": kind, "name": name, "key": item, "optional": bool(ref.get("optional")),
                                   "via": f"env {var}"})
            return None, f"{kind}/{name} (not rendered)"
        return data[item], f"{kind}/{name}"
    field_ref = value_from.get("fieldRef")
    if field_ref:
        path = field_ref.get("fieldPath", "")
        if path == "metadata.namespace":
            return namespace, "fieldRef"
        if path == "metadata.name":
            return None, "fieldRef (pod name, known only at run time)"
        match = re.fullmatch(r"metadata\.(labels|annotations)\['(.+)'\]", path)
        if match:
            value = (pod_meta.get(match.group(1)) or {}).get(match.group(2))
            return (str(value), "fieldRef") if value is not None else (None, "fieldRef")
        return None, "fieldRef (known only at run time)"
    return None, "valueFrom (known only at run time)"


def _expand(value: str, defined: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return defined[name] if name in defined else match.group(0)

    return _REFERENCE.sub(replace, value)


def _apply_defaults(defaults: dict[str, dict[str, str]], result: EffectiveEnv) -> None:
    """Fill unset or empty variables; fallbacks may chain (INDEXING_* → MODEL_SERVER_* → default)."""
    pending = {name: rule for name, rule in defaults.items() if not result.values.get(name)}
    for _ in range(len(pending) + 1):
        progressed = False
        for name, rule in list(pending.items()):
            if "default" in rule:
                value = str(rule["default"])
            elif rule.get("fallback") not in pending:
                value = result.values.get(rule.get("fallback", ""), "")
            else:
                continue  # its fallback is itself still unresolved
            if value:
                result.values[name] = value
                result.sources[name] = "default" if "default" in rule else f"fallback:{rule['fallback']}"
            del pending[name]
            progressed = True
        if not progressed:
            break
