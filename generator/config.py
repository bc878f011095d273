"""Configuration: one frozen SiteConfig from defaults, an optional ``site.toml`` and the command line.

The configuration hash lets the incremental build (a later stage) rebuild everything when any
setting that shapes the output changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import asdict, dataclass, replace
from pathlib import Path


class ConfigError(Exception):
    """A usage or configuration problem: the CLI exits with status 2."""


@dataclass(frozen=True, slots=True)
class SiteConfig:
    source: Path = Path("site_src")
    output: Path = Path("output")
    templates: Path | None = None
    title: str = "Filing archive"
    jobs: int = 0  # 0: all cores
    strict: bool = False
    progress: bool = True
    scheduler: str | None = None  # None: local processes; "local" or "tcp://host:port": Dask
    partition_size: int = 0  # units (or filings) per task; 0: chosen from the archive's size

    def worker_count(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)


#: Settings a site.toml may set, with their types.
_TOML_KEYS = {
    "source": Path, "output": Path, "templates": Path, "title": str, "jobs": int, "strict": bool,
    "scheduler": str, "partition_size": int,
}  # fmt: skip


def load_config(config_file: Path | None = None, **overrides: object) -> SiteConfig:
    """Defaults, then ``site.toml`` (explicit file, else ./site.toml when present), then overrides.

    Relative paths in a site.toml are taken relative to that file's folder.
    """
    cfg = SiteConfig()
    path = config_file if config_file is not None else Path("site.toml")
    if config_file is not None and not path.is_file():
        raise ConfigError(f"{path}: configuration file not found")
    if path.is_file():
        cfg = _apply_toml(cfg, path)
    given = {k: v for k, v in overrides.items() if v is not None}
    cfg = replace(cfg, **given)  # type: ignore[arg-type]
    _validate(cfg)
    return cfg


def _apply_toml(cfg: SiteConfig, path: Path) -> SiteConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
    table = data.get("site", data)
    values: dict[str, object] = {}
    for key, value in table.items():
        kind = _TOML_KEYS.get(key)
        if kind is None:
            raise ConfigError(f"{path}: unknown setting {key!r} (known: {', '.join(sorted(_TOML_KEYS))})")
        if kind is Path:
            values[key] = (path.parent / str(value)).resolve()
        elif not isinstance(value, kind):
            raise ConfigError(f"{path}: setting {key!r} must be a {kind.__name__}")
        else:
            values[key] = value
    return replace(cfg, **values)  # type: ignore[arg-type]


def _validate(cfg: SiteConfig) -> None:
    if not cfg.source.is_dir():
        raise ConfigError(f"{cfg.source}: source folder not found")
    if cfg.templates is not None and not cfg.templates.is_dir():
        raise ConfigError(f"{cfg.templates}: templates folder not found")
    src, out = cfg.source.resolve(), cfg.output.resolve()
    if out == src or src.is_relative_to(out):
        # An output folder inside the source is allowed (discovery skips it); the reverse would
        # make the build prune its own inputs.
        raise ConfigError(f"{cfg.output}: the output folder must not be or contain the source folder")
    if cfg.partition_size < 0:
        raise ConfigError("--partition-size must be 0 (automatic) or more")
    if cfg.jobs < 0:
        raise ConfigError("--jobs must be 0 (all cores) or more")


#: Settings that change how the build runs, not what it makes.
_NOT_SHAPING = ("jobs", "progress", "source", "output", "scheduler", "partition_size")


def config_hash(cfg: SiteConfig) -> str:
    """A digest of every setting that shapes the output (not jobs or progress, which do not)."""
    shaping = {k: str(v) for k, v in asdict(cfg).items() if k not in _NOT_SHAPING}
    return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode()).hexdigest()
