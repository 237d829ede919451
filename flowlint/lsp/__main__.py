"""``python -m flowlint.lsp [--tcp HOST:PORT]``: the same server as ``flowlint lsp``."""

from __future__ import annotations

import argparse

from flowlint.lsp.server import serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m flowlint.lsp", description="flowlint language server")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="serve on TCP instead of stdio (for debugging)")
    serve(parser.parse_args().tcp)


if __name__ == "__main__":
    main()
