"""Command line: ``flowlint check | rules | explain | expr``.

Exit codes: 0 clean, 1 findings, 2 usage or internal error.
"""

from __future__ import annotations

import sys
import traceback

import click

from flowlint import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="flowlint")
def main() -> None:
    """Static linter for Genesys Cloud Architect flows."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Configuration file (default: nearest .flowlint.toml or pyproject.toml [tool.flowlint]).")
def check(paths: tuple[str, ...], output_format: str, config_file: str | None) -> None:
    """Lint flow files (Archy YAML, .i3* exports, API JSON) under PATHS (default: .)."""
    from flowlint.config import ConfigError, load_config
    from flowlint.engine import check_paths
    from flowlint.reporters import json_report, text

    targets = list(paths) or ["."]
    try:
        config = load_config(targets, config_file)
    except ConfigError as error:
        click.echo(f"flowlint: {error}", err=True)
        sys.exit(EXIT_ERROR)
    try:
        result = check_paths(targets, config)
    except Exception:  # noqa: BLE001 - the promise is exit 2 with a report, never a bare traceback
        click.echo("flowlint: internal error (please report this with the file that caused it):", err=True)
        click.echo(traceback.format_exc(), err=True)
        sys.exit(EXIT_ERROR)
    reporter = json_report if output_format == "json" else text
    click.echo(reporter.render(result.diagnostics, result.files_checked), nl=False)
    sys.exit(EXIT_FINDINGS if result.diagnostics else EXIT_CLEAN)


@main.command(name="rules")
def list_rules() -> None:
    """List every rule: code, name, default severity and summary."""
    from flowlint.registry import all_rules

    rules = all_rules()
    width = max(len(r.info.name) for r in rules)
    for rule in rules:
        info = rule.info
        click.echo(f"{info.code}  {info.name:<{width}}  {info.severity.value:<7}  {info.summary}")


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """Explain a rule: why it exists, with bad and good examples."""
    from flowlint.registry import rules_by_code

    rule = rules_by_code().get(code.upper())
    if rule is None:
        raise click.UsageError(f"unknown rule code {code!r}; `flowlint rules` lists them")
    info = rule.info
    click.echo(f"{info.code} {info.name} ({info.severity.value})\n")
    click.echo(f"{info.summary}\n")
    click.echo(f"Why: {info.why}\n")
    for example in info.examples:
        click.echo(f"{'Bad' if example.bad else 'Good'}: {example.title}")
        for name, content in example.files.items():
            click.echo(f"  # {name}")
            for line in content.rstrip("\n").splitlines():
                click.echo(f"  {line}")
        click.echo("")


if __name__ == "__main__":  # pragma: no cover
    main()
