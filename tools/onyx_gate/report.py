"""Reporters turn a GateResult into text for a person or JSON for a machine. Data goes to stdout."""

from __future__ import annotations

import json
import os
from typing import IO, Callable

from .findings import Finding
from .gate import GateResult

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "ok": "\033[32m", "dim": "\033[2m", "reset": "\033[0m"}


def use_color(stream: IO[str]) -> bool:
    """Color only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def report_text(result: GateResult, stream: IO[str], color: bool | None = None) -> None:
    paint = _painter(use_color(stream) if color is None else color)
    for overlay in result.overlays:
        if overlay.error is not None:
            stream.write(paint("error", f"{overlay.overlay}: error: {overlay.error}") + "\n")
            continue
        waived = len(overlay.findings) - len(overlay.failing)
        note = f" ({waived} waived finding(s) reported below)" if waived else ""
        if not overlay.failing:
            stream.write(paint("ok", f"{overlay.overlay}: ok{note}") + "\n")
        else:
            stream.write(f"{overlay.overlay}: {len(overlay.failing)} finding(s){note}\n")
        for finding in overlay.findings:
            _write_finding(stream, finding, paint)
    if result.repository:
        stream.write(f"repository: {len(result.repository)} finding(s)\n")
        for finding in result.repository:
            _write_finding(stream, finding, paint)


def _write_finding(stream: IO[str], finding: Finding, paint: Callable[[str, str], str]) -> None:
    where = " · ".join(part for part in (
        f"{finding.kind}/{finding.name}" if finding.kind else "", finding.field, finding.file) if part)
    label = paint("dim", f"{finding.id} [waived]") if finding.waived else paint(finding.severity, finding.id)
    stream.write(f"  {finding.overlay}: {label} {finding.message}\n")
    if finding.waived:
        stream.write(paint("dim", f"      waived: {finding.waived}") + "\n")
    if where:
        stream.write(paint("dim", f"      at {where}") + "\n")


def report_json(result: GateResult, stream: IO[str], color: bool | None = None) -> None:
    document = {
        "engine": result.engine,
        "exit_code": result.exit_code,
        "overlays": [
            {
                "overlay": overlay.overlay,
                "status": "error" if overlay.error else ("findings" if overlay.failing else "clean"),
                "waived": len(overlay.findings) - len(overlay.failing),
                "error": str(overlay.error) if overlay.error else None,
                "findings": [finding.as_dict() for finding in overlay.findings],
            }
            for overlay in result.overlays
        ],
        "repository": [finding.as_dict() for finding in result.repository],
    }
    json.dump(document, stream, indent=2, sort_keys=False)
    stream.write("\n")


def _painter(enabled: bool) -> Callable[[str, str], str]:
    def paint(style: str, text: str) -> str:
        return f"{_COLORS[style]}{text}{_COLORS['reset']}" if enabled and style in _COLORS else text

    return paint


REPORTERS: dict[str, Callable[..., None]] = {"text": report_text, "json": report_json}
