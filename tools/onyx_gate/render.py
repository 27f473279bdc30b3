"""Renders an overlay with the real Kustomize library (pykustomize), in-process.

The overlay is wrapped in a throw-away kustomization with `buildMetadata: [originAnnotations]`, so every
object says which repository file it came from without the overlays themselves carrying build metadata
into what Argo CD applies. The origin annotation is removed again; its path is kept on `Rendered.origin`.

pykustomize's last-error buffer is process-global, so builds are serialized (a lock): concurrent failing
builds were measured to swap error messages. Where the native library does not load (it ships only a
linux-amd64 .so), a `kustomize` or `kubectl kustomize` binary renders the same output.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .cache import cache_dir, digest, dist_version, write_atomic
from .errors import EngineError, RenderError

ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
RENDER_TIMEOUT_S = 30.0
_build_lock = threading.Lock()


@dataclass(frozen=True)
class Rendered:
    objects: list[dict[str, Any]]
    origins: list[str]  # repo-relative source file per object ("" when Kustomize generated it)
    renderer: str


def render_overlay(overlay: Path, repo_root: Path, *, renderer: str | None = None) -> Rendered:
    """Render `overlay` (a directory inside `repo_root`) with origin tracking."""
    chosen = renderer or os.environ.get("ONYX_GATE_RENDERER") or "pykustomize"
    with tempfile.TemporaryDirectory(prefix="onyx-gate-") as wrapper:
        wrapper_dir = Path(wrapper)
        relative = os.path.relpath(overlay.resolve(), wrapper_dir)
        (wrapper_dir / "kustomization.yaml").write_text(
            json.dumps({"resources": [relative], "buildMetadata": ["originAnnotations"]}), encoding="utf-8")
        try:
            objects = render_plain(wrapper_dir, renderer=chosen)
        except RenderError as error:
            raise RenderError(_clean_kustomize_message(str(error), repo_root.resolve())) from None
        origins = [_pop_origin(obj, wrapper_dir, repo_root.resolve()) for obj in objects]
    return Rendered(objects=objects, origins=origins, renderer=chosen)


def render_for_gate(overlay: Path, repo_root: Path, *, renderer: str | None = None) -> list[dict[str, Any]]:
    """What Argo CD applies, with Kustomize's messages made repository-relative. No origin tracking:
    Kustomize's originAnnotations cost ~200 ms per build (measured: 86 ms plain vs 280 ms), so origins are
    computed only when there is a finding to point at (`origin_map`)."""
    chosen = renderer or os.environ.get("ONYX_GATE_RENDERER") or "pykustomize"
    try:
        return render_plain(overlay.resolve(), renderer=chosen)
    except RenderError as error:
        raise RenderError(_clean_kustomize_message(str(error), repo_root.resolve())) from None


def cached_render(overlay: Path, repo_root: Path, inputs_digest: str) -> list[dict[str, Any]]:
    """render_for_gate, reused when every byte Kustomize can read is unchanged (the pre-commit hook mostly
    re-judges overlays a commit did not touch). `inputs_digest` comes from the screen, which hashed every file
    and kustomization-file name the overlay's kustomizations reach; the key adds the renderer and its version."""
    chosen = os.environ.get("ONYX_GATE_RENDERER") or "pykustomize"
    directory = cache_dir()
    if directory is None:
        return render_for_gate(overlay, repo_root, renderer=chosen)
    key = digest(inputs_digest, chosen, dist_version("pykustomize"), str(overlay.resolve().relative_to(repo_root)),
                 Path(__file__).read_bytes())  # this module's code too: its build options shape the output
    path = directory / f"render-{key}.json"
    try:
        objects = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(objects, list) and all(isinstance(obj, dict) for obj in objects):
            return objects
    except (OSError, ValueError):
        pass
    objects = render_for_gate(overlay, repo_root, renderer=chosen)
    write_atomic(path, json.dumps(objects, separators=(",", ":")).encode("utf-8"))
    return objects


def origin_map(overlay: Path, repo_root: Path) -> dict[tuple[str, str], str]:
    """(kind, name) → repository file of every object the overlay renders, from Kustomize origin annotations."""
    rendered = render_overlay(overlay, repo_root)
    return {(str(obj.get("kind", "")), str((obj.get("metadata") or {}).get("name", ""))): origin
            for obj, origin in zip(rendered.objects, rendered.origins) if origin}


def render_plain(directory: Path, *, renderer: str = "pykustomize") -> list[dict[str, Any]]:
    """Render exactly what `kustomize build directory` would (what Argo CD applies)."""
    if renderer == "pykustomize":
        try:
            return _render_native(directory)
        except _NativeUnavailable:
            renderer = "binary"
    if renderer in ("binary", "kubectl", "kustomize"):
        return _render_binary(directory)
    raise EngineError(f"unknown renderer {renderer!r} (expected pykustomize or binary)")


class _NativeUnavailable(Exception):
    pass


def _render_native(directory: Path) -> list[dict[str, Any]]:
    import asyncio  # with pykustomize, ~50 ms of imports: only paid when a render is needed

    try:
        import pykustomize
    except ImportError as error:  # pragma: no cover - depends on the platform
        raise _NativeUnavailable(str(error)) from None
    options = pykustomize.BuildOptions(load_restrictions=pykustomize.LoadRestrictions.ROOT_ONLY)
    if not _build_lock.acquire(timeout=RENDER_TIMEOUT_S):
        raise EngineError(f"{directory}: an earlier Kustomize build is still running (it timed out)")
    worker: threading.Thread | None = None
    try:
        try:
            kustomizer = pykustomize.Kustomizer()
        except pykustomize.KustomizeLibraryNotFound as error:
            raise _NativeUnavailable(str(error)) from None
        outcome: dict[str, Any] = {}

        def build() -> None:
            try:
                outcome["result"] = asyncio.run(kustomizer.build_json(directory, options))
            except BaseException as error:  # handed back to the caller's thread below
                outcome["error"] = error

        # A daemon thread, not asyncio.wait_for: asyncio.run waits for its executor threads on exit, so a
        # hung native build would hang the gate. A daemon thread lets the gate report and exit non-zero.
        worker = threading.Thread(target=build, name="kustomize-build", daemon=True)
        worker.start()
        worker.join(RENDER_TIMEOUT_S)
        if worker.is_alive():
            raise EngineError(f"{directory}: Kustomize did not finish within {RENDER_TIMEOUT_S:.0f} s")
    finally:
        if worker is None or not worker.is_alive():  # a hung build keeps the lock: never run two at once
            _build_lock.release()
    error = outcome.get("error")
    if isinstance(error, pykustomize.KustomizeError):
        raise RenderError(_clean_kustomize_message(str(error)))
    if error is not None:
        raise EngineError(f"{directory}: Kustomize failed unexpectedly: {error}")
    result = outcome["result"]
    return [obj for obj in result.resources if isinstance(obj, dict)]


def _render_binary(directory: Path) -> list[dict[str, Any]]:
    command = find_binary_renderer()
    if command is None:
        raise EngineError("neither the pykustomize library nor a kustomize/kubectl binary is available to render")
    try:
        completed = subprocess.run([*command, str(directory)], capture_output=True, text=True,
                                   timeout=RENDER_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise EngineError(f"{directory}: {' '.join(command)} did not finish within {RENDER_TIMEOUT_S:.0f} s") from None
    if completed.returncode != 0:
        message = completed.stderr.strip().splitlines()
        raise RenderError(_clean_kustomize_message(message[-1] if message else f"exit {completed.returncode}"))
    return [doc for doc in yaml.load_all(completed.stdout, Loader=yaml.CSafeLoader) if isinstance(doc, dict)]


def find_binary_renderer() -> list[str] | None:
    """`kustomize build`, else `kubectl kustomize`; None when neither is installed."""
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


_WRAPPER_CHAIN = re.compile(
    r"(accumulating resources: )?accumulation err='accumulating resources from '[^']*': '[^']*' must resolve to "
    r"a file': recursed accumulation of path '[^']*': ")


def _clean_kustomize_message(message: str, repo_root: Path | None = None) -> str:
    """Kustomize's own message, without the wrapper kustomization's error chain and absolute paths."""
    message = message.removeprefix("kustomize build failed: ").removeprefix("error: ").strip()
    message = _WRAPPER_CHAIN.sub("", " ".join(message.split()))
    if repo_root is not None:
        message = message.replace(f"{repo_root}/", "").replace(str(repo_root), ".")
    return message


def _pop_origin(obj: dict[str, Any], wrapper_dir: Path, repo_root: Path) -> str:
    metadata = obj.get("metadata") or {}
    annotations = metadata.get("annotations") or {}
    raw = annotations.pop(ORIGIN_ANNOTATION, None)
    if not annotations and "annotations" in metadata:
        del metadata["annotations"]
    if not raw:
        return ""
    origin = yaml.safe_load(raw) or {}
    path = origin.get("path") or origin.get("configuredIn") or ""
    if not path:
        return ""
    absolute = Path(os.path.normpath(wrapper_dir / path))
    try:
        return str(absolute.relative_to(repo_root))
    except ValueError:
        return str(path)
