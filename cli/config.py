"""`lipgate config`: the effective configuration, each value with where it comes from."""

from __future__ import annotations

import json

import click

from lipgate.cli.common import config_option, profile_option


def effective_configuration(config) -> list[dict]:
    """One row per check setting: check, key, value in force, origin (default with its source,
    profile, or configuration file)."""
    from lipgate.preflight.checks import CHECKS
    from lipgate.qa.checks import SOURCE_CHECKS  # qa --source's checks take the same settings

    rows = []
    for check_id, check in {**CHECKS, **SOURCE_CHECKS}.items():
        rows.append({"check": check_id, "key": "level", "value": config.level(check_id), "origin": config.level_source(check_id)})
        patterns = config.checks.get(check_id, {}).get("ignore")
        if patterns:
            rows.append({"check": check_id, "key": "ignore", "value": patterns, "origin": f"configuration {config.source}"})
        overrides, sources = config.thresholds(check_id), config.sources(check_id)
        for name, threshold in check.thresholds.items():
            if name in overrides:
                rows.append({"check": check_id, "key": name, "value": overrides[name], "unit": threshold.unit, "origin": sources[name]})
            else:
                rows.append({"check": check_id, "key": name, "value": threshold.value, "unit": threshold.unit,
                             "origin": f"default: {threshold.source}"})
    for name, threshold in qa_thresholds().items():
        if name in config.qa:
            rows.append({"check": "qa", "key": name, "value": config.qa[name], "unit": threshold.unit, "origin": f"configuration {config.source}"})
        else:
            rows.append({"check": "qa", "key": name, "value": threshold.value, "unit": threshold.unit, "origin": f"default: {threshold.source}"})
    return rows


def qa_thresholds() -> dict:
    """`lipgate qa`'s settings (lipgate.qa.settings.QA_THRESHOLDS), empty while qa is not installed."""
    try:
        from lipgate.qa.settings import QA_THRESHOLDS
    except ImportError:
        return {}
    return QA_THRESHOLDS


@click.command("config")
@config_option
@profile_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--profiles", "list_profiles", is_flag=True, help="List the service profiles and their limits.")
def config_command(config_path, profile, fmt, list_profiles):
    """Print the effective configuration: every threshold and level, and where it comes from."""
    from lipgate.api import load_config
    from lipgate.profiles import PROFILES

    if list_profiles:
        data = {name: {"title": p.title, "checks": {c: {k: {"value": v.value, "source": v.source} for k, v in limits.items()}
                                                    for c, limits in p.checks.items()}, "levels": p.levels}
                for name, p in PROFILES.items()}
        if fmt == "json":
            click.echo(json.dumps(data, indent=2))
            return
        for name, profile_data in data.items():
            click.echo(f"{name}: {profile_data['title']}")
            for check_id, limits in profile_data["checks"].items():
                for key, limit in limits.items():
                    click.echo(f"  {check_id}.{key} = {limit['value']:g}   ({limit['source']})")
        return
    config = load_config(config_path, profile=profile)
    rows = effective_configuration(config)
    if fmt == "json":
        click.echo(json.dumps({"source": config.source, "profile": config.profile.name if config.profile else None, "settings": rows}, indent=2))
        return
    click.echo(f"# configuration: {config.source}; profile: {config.profile.name if config.profile else 'none'}")
    for row in rows:
        value = row["value"]
        shown = "none" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
        unit = f" {row['unit']}" if row.get("unit") and value is not None else ""
        click.echo(f"{row['check']}.{row['key']} = {shown}{unit}   # {row['origin']}")
