"""The ``flowlint`` console entry point.

``flowlint check --daemon`` (or ``FLOWLINT_DAEMON=1``) is routed to the resident server
(:mod:`flowlint.daemon`) before click or any rule is imported: that start-up is what the
server saves.  Everything else, and a check no server can take, runs :mod:`flowlint.cli`
in this process.
"""

from __future__ import annotations

import os
import sys


def wants_daemon(argv: list[str]) -> bool:
    """``check`` with ``--daemon`` (before a ``--``), or FLOWLINT_DAEMON set to 1/true/yes;
    ``--no-daemon`` wins.  The server parses the command line again with click, so a
    mistaken guess here only changes where the check runs, not what it does."""
    if not argv or argv[0] != "check":
        return False
    options = argv[1:argv.index("--")] if "--" in argv else argv[1:]
    if "--no-daemon" in options:
        return False
    if "--daemon" in options:
        return True
    return os.environ.get("FLOWLINT_DAEMON", "").strip().lower() in {"1", "true", "yes", "on"}


def main() -> None:
    argv = sys.argv[1:]
    if wants_daemon(argv):
        from flowlint.daemon.client import run_check

        try:
            code = run_check(argv)
        except KeyboardInterrupt:  # as click reports it in a check run here
            print("\nAborted!", file=sys.stderr)
            sys.exit(1)
        if code is not None:
            sys.exit(code)
    from flowlint.cli import main as cli_main

    cli_main(prog_name="flowlint")


if __name__ == "__main__":  # pragma: no cover
    main()
