"""DuckDB over the Parquet tables: every table in OUT is a view named like the table."""

from __future__ import annotations

from pathlib import Path

from pipeline.tables import DESCRIPTIONS, SCHEMAS


def connect(out_dir: Path):  # type: ignore[no-untyped-def]
    """An in-memory DuckDB connection with one view per table present in ``out_dir``."""
    import duckdb

    present = [name for name in SCHEMAS if (out_dir / f"{name}.parquet").exists()]
    if not present:
        raise FileNotFoundError(f"no tables in {out_dir}: run `chiso run PATH -o {out_dir}` first")
    connection = duckdb.connect()
    for name in present:
        path = out_dir / f"{name}.parquet"
        source = str(path / "*.parquet") if path.is_dir() else str(path)
        escaped = source.replace("'", "''")
        connection.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{escaped}')")
    return connection


def run_query(sql: str, out_dir: Path, output_format: str = "table") -> str:
    connection = connect(out_dir)
    frame = connection.execute(sql).fetchdf()
    if output_format == "csv":
        return frame.to_csv(index=False).rstrip("\n")
    if output_format == "json":
        return frame.to_json(orient="records", force_ascii=False)
    return frame.to_string(index=False, max_colwidth=80)


def describe_tables(out_dir: Path) -> str:
    lines = []
    for name, schema in SCHEMAS.items():
        present = "" if (out_dir / f"{name}.parquet").exists() else "  (not written yet)"
        lines.append(f"{name}: {DESCRIPTIONS.get(name, '')}{present}")
        lines.append("  " + ", ".join(f"{f.name} {f.type}" for f in schema))
    return "\n".join(lines)
