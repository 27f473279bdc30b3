"""Evaluates the policies on a real OPA server through opa-python-client (`validate.py --opa-url URL`).

The client's failures come in four unrelated exception families (requests, its own errors, JSON decoding,
type errors), so every call is funnelled through `_call`, which turns any of them into one EngineError naming
the server and the cause: an unreachable server, a timeout, a 4xx/5xx, a policy that does not compile or a
reply that is not what OPA returns all end in exit 3, never in a pass. Policies are uploaded with
`rego_compat=False` so the client never rewrites a policy behind our back.
"""

from __future__ import annotations

import json
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

from .engine import PolicySet, check_findings
from .errors import EngineError

POLICY_PREFIX = "onyx-gitops"
QUERY = ("defined := {p | some p; data.onyx[p].deny}; "
         "findings := [f | some p; some f in data.onyx[p].deny]")
T = TypeVar("T")


class OpaServerEngine:
    name = "opa-server"

    def __init__(self, policies: PolicySet, url: str, timeout_s: float = 10.0) -> None:
        from opa_client.opa import OpaClient

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
            raise EngineError(f"--opa-url {url!r}: expected http(s)://HOST:PORT")
        self.url = f"{parts.scheme}://{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
        self._policies = policies
        self._client = OpaClient(host=parts.hostname, port=parts.port or (443 if parts.scheme == "https" else 80),
                                 ssl=parts.scheme == "https", retries=0, timeout=timeout_s)
        # OPA compiles each upload against what it already holds: libraries first, then the policies using them
        for name, text in sorted(policies.modules.items(), key=lambda item: ("/lib/" not in item[0], item[0])):
            self._call(f"uploading {name}", lambda n=name, t=text: self._client.update_policy_from_string(
                t, f"{POLICY_PREFIX}/{n}", rego_compat=False))
        for key, value in policies.data.items():
            self._call(f"uploading data.{key}", lambda k=key, v=value: self._client.update_or_create_data(v, k))
        # a policy file deleted from the repository must not keep judging from the server's memory
        current = {f"{POLICY_PREFIX}/{name}" for name in policies.modules}
        for stale in self._call("listing policies", self._client.get_policies_list):
            if isinstance(stale, str) and stale.startswith(f"{POLICY_PREFIX}/") and stale not in current:
                self._call(f"deleting stale {stale}", lambda s=stale: self._client.delete_policy(s))

    def evaluate(self, model: dict[str, Any]) -> list[dict[str, Any]]:
        reply = self._call("querying the policies", lambda: self._client.ad_hoc_query(QUERY, model))
        if not isinstance(reply, dict):
            raise EngineError(f"OPA at {self.url}: the query reply is not a JSON object")
        results = reply.get("result")
        if not isinstance(results, list) or len(results) != 1 or not isinstance(results[0], dict):
            raise EngineError(f"OPA at {self.url}: the query was undefined or ambiguous (reply {_short(reply)})")
        bindings = results[0]
        defined = bindings.get("defined")
        if not isinstance(defined, list):
            raise EngineError(f"OPA at {self.url}: the reply has no list of evaluated policies ({_short(reply)})")
        missing = sorted(self._policies.packages - set(defined))
        if missing:
            raise EngineError(f"OPA at {self.url}: policy package(s) {', '.join('onyx.' + m for m in missing)} "
                              "produced no `deny` set")
        return check_findings(bindings.get("findings"), f"OPA at {self.url}")

    def _call(self, action: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except Exception as error:  # the client's four exception families, see the module docstring
            raise EngineError(f"OPA at {self.url}: {action} failed: {_describe(error)}") from None


def _describe(error: Exception) -> str:
    name = type(error).__name__
    response = getattr(error, "response", None)
    if response is not None and getattr(response, "status_code", None):
        body = (getattr(response, "text", "") or "").strip().replace("\n", " ")
        try:
            body = json.loads(body).get("message", body)
        except (ValueError, AttributeError):
            pass
        return f"HTTP {response.status_code}: {body[:200] or name}"
    if name == "RegoParseError":
        return f"the policy does not compile: {error}"
    if "Timeout" in name or "timed out" in str(error).lower():
        return "timed out"
    if "Connection" in name:
        return "server unreachable (connection refused or no route)"
    if "JSONDecode" in name:
        return "the reply is not JSON"
    text = str(error).strip().splitlines()
    return f"{name}: {text[0][:200]}" if text else name


def _short(value: Any) -> str:
    return json.dumps(value)[:160]
