"""`python tools/validate.py OVERLAY…`: parse arguments, run the gate, report, return the exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO, Callable, Sequence

from .engine import EmbeddedEngine, Engine, PolicySet
from .errors import EXIT_INPUT, EXIT_INTERNAL, GateError
from .gate import REPO_ROOT, run_gate
from .report import REPORTERS


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="validate.py",
        description="Render Onyx overlays, validate them and refuse any change that would break Onyx.",
        epilog="Exit codes: 0 clean, 1 findings, 2 usage or input error, 3 internal or engine error.",
    )
    p.add_argument("overlays", nargs="*", help="overlay directories, e.g. overlays/prod")
    p.add_argument("--all", action="store_true", help="validate every overlay registered in policies/data")
    p.add_argument("--format", choices=sorted(REPORTERS), default="text", help="output format (default: text)")
    p.add_argument("--opa-url", metavar="URL",
                   help="evaluate on an OPA server (http://HOST:PORT) instead of the embedded engine")
    p.add_argument("--repo", type=Path, default=REPO_ROOT, metavar="DIR",
                   help="repository root whose policies, waivers and argocd/ apply (default: this checkout)")
    p.add_argument("--opa-timeout", type=float, default=10.0, metavar="SECONDS",
                   help="per-request timeout for --opa-url (default: 10)")
    return p


def engine_factory(args: argparse.Namespace) -> Callable[[PolicySet], Engine]:
    if not args.opa_url:
        return EmbeddedEngine
    from .opa_server import OpaServerEngine

    return lambda policies: OpaServerEngine(policies, args.opa_url, args.opa_timeout)


def main(argv: Sequence[str] | None = None, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    args = parser().parse_args(argv)
    if not args.overlays and not args.all:
        err.write("validate.py: error: name at least one overlay (e.g. overlays/prod) or use --all\n")
        return EXIT_INPUT
    try:
        result = run_gate(list(args.overlays), repo_root=args.repo, all_overlays=args.all,
                          engine_factory=engine_factory(args))
    except GateError as error:
        err.write(f"validate.py: error: {error}\n")
        return error.exit_code
    except Exception as error:  # the gate fails closed: an unexpected failure is never a pass
        err.write(f"validate.py: internal error: {type(error).__name__}: {error}\n")
        return EXIT_INTERNAL
    REPORTERS[args.format](result, out)
    return result.exit_code
