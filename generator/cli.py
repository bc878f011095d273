"""Command line: argument parsing and exit codes only; the work happens in build.py and friends.

Exit status: 0 every input built; 1 some inputs failed and the rest were built; 2 usage or
configuration error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator import __version__
from generator.config import ConfigError, load_config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="filing-archive")
def cli() -> None:
    """Turn a folder of SEC EDGAR filings into a static website."""


@cli.command()
@click.option(
    "--source", type=click.Path(path_type=Path), help="Folder of filings and markdown pages [site_src]."
)
@click.option("--output", type=click.Path(path_type=Path), help="Folder the site is written to [output].")
@click.option(
    "--templates",
    type=click.Path(path_type=Path),
    help="Your templates folder; its files override the theme's.",
)
@click.option(
    "--config", "config_file", type=click.Path(path_type=Path), help="A site.toml [./site.toml if present]."
)
@click.option("--jobs", "-j", type=int, help="Worker processes for parsing and rendering [all cores].")
@click.option("--strict", is_flag=True, default=None, help="Treat warnings as failures (exit 1).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars; errors and the summary only.")
@click.option(
    "--scheduler",
    help="Run the build's tasks on a Dask cluster: its address (tcp://host:8786), or 'local' for a "
    "local Dask cluster. Needs the 'distributed' extra and shared source/output folders.",
)
@click.option("--partition-size", type=int, help="Units (or filings) per task [automatic].")
def build(source, output, templates, config_file, jobs, strict, quiet, scheduler, partition_size) -> None:
    """Build the site from the source folder."""
    from generator.build import build as run_build
    from generator.scheduler import SchedulerError

    try:
        cfg = load_config(
            config_file, source=source, output=output, templates=templates, jobs=jobs, strict=strict,
            progress=not quiet, scheduler=scheduler, partition_size=partition_size,
        )  # fmt: skip
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    try:
        report = run_build(cfg, echo=lambda line: click.echo(line, err=line.startswith(("error", "warning"))))
    except SchedulerError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    warned = any(i.diagnostics for i in report.inputs)
    sys.exit(1 if report.failed or (cfg.strict and warned) else 0)


@cli.command("search")
@click.argument("query")
@click.option("--output", type=click.Path(path_type=Path), default=Path("output"), show_default=True,
              help="The built site to search.")  # fmt: skip
@click.option(
    "--limit", "-n", type=click.IntRange(min=1), default=10, show_default=True, help="Results to show."
)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print {total, results} as JSON.")
def search_command(query, output, limit, sort, as_json) -> None:
    """Search a built site with the browser's query syntax (whoosh index in OUTPUT/.search-index)."""
    from generator.search import cli as search_cli

    sys.exit(search_cli.run(query, output, limit, sort, as_json, click.echo))


def _site_options(fn):
    """The build command's site options, shared by watch and serve."""
    opts = [
        click.option("--source", type=click.Path(path_type=Path), help="Folder of filings and markdown pages [site_src]."),
        click.option("--output", type=click.Path(path_type=Path), help="Folder the site is written to [output]."),
        click.option("--templates", type=click.Path(path_type=Path), help="Your templates folder; its files override the theme's."),
        click.option("--config", "config_file", type=click.Path(path_type=Path), help="A site.toml [./site.toml if present]."),
        click.option("--jobs", "-j", type=int, help="Worker processes for parsing [all cores]."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bars."),
        click.option("--debounce", type=click.FloatRange(min=0), default=0.1, show_default=True,
                     help="Seconds of quiet after a change before rebuilding."),
    ]  # fmt: skip
    for opt in reversed(opts):
        fn = opt(fn)
    return fn


def _watcher(source, output, templates, config_file, jobs, quiet, debounce):
    """A Watcher whose configuration is read again when site.toml changes; exits 2 on a bad one."""
    from generator.watch import Watcher

    def load():
        return load_config(
            config_file, source=source, output=output, templates=templates, jobs=jobs, progress=not quiet
        )

    try:
        load()
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    return Watcher(load, config_file=config_file, echo=_echo, debounce=debounce)


def _echo(line: str) -> None:
    click.echo(line, err=line.startswith(("error", "warning")))


@cli.command("watch")
@_site_options
def watch_command(source, output, templates, config_file, jobs, quiet, debounce) -> None:
    """Build, then rebuild whenever the source, the templates or site.toml change (Ctrl-C stops)."""
    from generator import watch

    watcher = _watcher(source, output, templates, config_file, jobs, quiet, debounce)
    sys.exit(watch.run(watcher, _echo))


@cli.command("serve")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1; 0 picks a free one.")  # fmt: skip
@click.option("--watch", "live", is_flag=True, help="Also rebuild on change and reload open pages.")
@_site_options
def serve_command(port, live, source, output, templates, config_file, jobs, quiet, debounce) -> None:
    """Serve the built site on http://127.0.0.1 (with --watch: rebuild and live reload)."""
    from generator import serve

    if live:
        watcher = _watcher(source, output, templates, config_file, jobs, quiet, debounce)
        out = watcher.cfg.output
    else:
        watcher = None
        out = output or _output_of(config_file)
    sys.exit(serve.run(out, port, watcher, _echo))


def _output_of(config_file: Path | None) -> Path:
    """The output folder site.toml names, without requiring a source folder to exist."""
    try:
        return load_config(config_file).output
    except ConfigError:
        return Path("output")


def main() -> None:
    cli(prog_name="filing-archive")


if __name__ == "__main__":  # pragma: no cover
    main()
