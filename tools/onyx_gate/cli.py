"""`python tools/validate.py OVERLAY…` (the gate) and `python tools/validate.py --base REF` (what Argo CD will
apply after merge): parse arguments, run, report, return the exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO, Callable, Sequence

from .engine import EmbeddedEngine, Engine, PolicySet
from .errors import EXIT_INPUT, EXIT_INTERNAL, GateError, InputError
from .gate import REPO_ROOT, GateResult, run_gate
from .locate import Locator
from .report import REPORTERS


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="validate.py",
        description="Render Onyx overlays, validate them and refuse any change that would break Onyx. "
                    "With --base REF: render every overlay at REF and now, and report what Argo CD will change "
                    "after merge (removals from auto-pruned overlays need a waiver).",
        epilog="Exit codes: 0 clean, 1 findings, 2 usage or input error, 3 internal or engine error.",
    )
    p.add_argument("overlays", nargs="*", help="overlay directories, e.g. overlays/prod")
    p.add_argument("--all", action="store_true", help="validate every overlay registered in policies/data")
    p.add_argument("--base", metavar="REF",
                   help="compare with this git ref (e.g. origin/main) instead of running the policies; "
                        "every registered overlay unless overlays are named")
    p.add_argument("--format", choices=sorted(REPORTERS), default="text", help="output format (default: text)")
    p.add_argument("--report", action="append", default=[], metavar="FORMAT=FILE",
                   help="also write the report in FORMAT to FILE (repeatable), e.g. --report sarif=gate.sarif")
    p.add_argument("--summary", metavar="FILE", type=Path,
                   help="also append a Markdown summary to FILE (e.g. \"$GITHUB_STEP_SUMMARY\")")
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


def _outputs(args: argparse.Namespace) -> list[tuple[str, Path, str]]:
    """(format, file, mode) for every --report and --summary; InputError on a malformed one."""
    outputs = []
    for spec in args.report:
        fmt, sep, file = spec.partition("=")
        if not sep or not file or fmt not in REPORTERS:
            raise InputError(f"--report {spec}: expected FORMAT=FILE with FORMAT one of {', '.join(sorted(REPORTERS))}")
        outputs.append((fmt, Path(file), "w"))
    if args.summary is not None:
        outputs.append(("markdown", args.summary, "a"))
    return outputs


def main(argv: Sequence[str] | None = None, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    args = parser().parse_args(argv)
    if not args.overlays and not args.all and args.base is None:
        err.write("validate.py: error: name at least one overlay (e.g. overlays/prod), use --all, or --base REF\n")
        return EXIT_INPUT
    if args.base is not None and args.opa_url:
        err.write("validate.py: error: --base compares rendered models and runs no policies; drop --opa-url\n")
        return EXIT_INPUT
    try:
        outputs = _outputs(args)
        result = _run(args)
    except GateError as error:
        err.write(f"validate.py: error: {error}\n")
        return error.exit_code
    except Exception as error:  # the gate fails closed: an unexpected failure is never a pass
        err.write(f"validate.py: internal error: {type(error).__name__}: {error}\n")
        return EXIT_INTERNAL
    locate = Locator(args.repo)
    try:
        REPORTERS[args.format](result, out, locate=locate)
        for fmt, file, mode in outputs:
            with open(file, mode, encoding="utf-8") as stream:
                REPORTERS[fmt](result, stream, locate=locate, color=False)
    except OSError as error:
        err.write(f"validate.py: error: cannot write a report: {error.filename or ''}: {error.strerror}\n")
        return EXIT_INPUT
    except Exception as error:  # a broken reporter must not turn findings into a pass
        err.write(f"validate.py: internal error while reporting: {type(error).__name__}: {error}\n")
        return EXIT_INTERNAL
    return result.exit_code


def _run(args: argparse.Namespace) -> GateResult:
    if args.base is not None:
        from .diff import run_diff

        return run_diff(args.base, [] if args.all else list(args.overlays), repo_root=args.repo)
    return run_gate(list(args.overlays), repo_root=args.repo, all_overlays=args.all,
                    engine_factory=engine_factory(args))
