#!/usr/bin/env python3
"""Write the reference pipeline's raw parquet inputs from one of our SQLite snapshots.

    python write_parquet.py SNAPSHOT.sqlite OUT_DIR [--facts schema-facts.json]

For every table the reference pipeline (ChameleonCloud/usage-exploration) reads
(`<schema>.<table>.parquet`, see bench/peer/schema-facts.json, read from its `sources.py` and
`ingest/rawschemas.py`), writes OUT_DIR/<schema>.<table>.parquet with exactly the columns its
pandera model names, in the model's order, with the type the model coerces to:

    str -> string, int -> int64, float -> float64, pl.Datetime -> timestamp[us] (no time zone,
    UTC wall time as MySQL DATETIME holds it), pl.Date -> date32

Rows come from the snapshot's table `<schema>__<table>` (the rows its `extract` would dump from
MySQL: the live tables only, not Nova's shadow tables). A table the snapshot does not have (Blazar
devices, Zun) is written empty with the same columns; a column it lacks is written as nulls and
named on stderr. MySQL's zero date ('0000-00-00 00:00:00', a quirk the testbed writes) becomes
null, as MySQLdb returns it. Prints one JSON line: {file: rows} for every file written.
"""

import argparse
import json
import os
import sqlite3
import sys

import pyarrow as pa
import pyarrow.parquet as pq

ARROW = {
    "str": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "datetime": pa.timestamp("us"),
    "date": pa.date32(),
}
BATCH = 200_000


def arrow_schema(columns):
    return pa.schema([pa.field(c["name"], ARROW[c["type"]], nullable=True) for c in columns])


def column_array(values, kind):
    """SQLite values -> an arrow array of the model's type (text datetimes parsed by arrow)."""
    if kind == "str":
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())
    if kind == "int":
        return pa.array([None if v is None else int(v) for v in values], type=pa.int64())
    if kind == "float":
        return pa.array([None if v is None else float(v) for v in values], type=pa.float64())
    # 'YYYY-MM-DD HH:MM:SS[.ffffff]' text -> timestamp[us] / date32; MySQL's zero date
    # '0000-00-00 00:00:00' -> null, as MySQLdb (which ibis's extract reads through) returns None
    return pa.array([None if v is None or str(v).startswith("0000-") else v for v in values], type=pa.string()).cast(ARROW[kind])


def write_table(conn, table, out_dir, existing):
    name = table["file"]
    schema_name, table_name = name.split(".", 1)
    sqlite_table = f"{schema_name}__{table_name}"
    schema = arrow_schema(table["columns"])
    path = os.path.join(out_dir, f"{name}.parquet")
    tmp = path + ".tmp"
    rows = 0
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        if sqlite_table in existing:
            have = {r[1] for r in conn.execute(f'PRAGMA table_info("{sqlite_table}")')}
            missing = [c["name"] for c in table["columns"] if c["name"] not in have]
            if missing:
                print(f"write_parquet: {sqlite_table} has no {', '.join(missing)}: written as nulls", file=sys.stderr)
            select = ", ".join(f'"{c["name"]}"' if c["name"] in have else "NULL" for c in table["columns"])
            cur = conn.execute(f'SELECT {select} FROM "{sqlite_table}"')
            while True:
                batch = cur.fetchmany(BATCH)
                if not batch:
                    break
                cols = list(zip(*batch))
                arrays = [column_array(list(cols[i]), c["type"]) for i, c in enumerate(table["columns"])]
                writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                rows += len(batch)
        else:
            writer.write_table(schema.empty_table())
    os.replace(tmp, path)
    return rows if sqlite_table in existing else None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("snapshot")
    ap.add_argument("out_dir")
    ap.add_argument("--facts", default=os.path.join(here, "schema-facts.json"))
    a = ap.parse_args()
    with open(a.facts) as f:
        facts = json.load(f)
    os.makedirs(a.out_dir, exist_ok=True)
    conn = sqlite3.connect(f"file:{a.snapshot}?mode=ro", uri=True)
    existing = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    written = {t["file"]: write_table(conn, t, a.out_dir, existing) for t in facts["tables"]}
    print(json.dumps(written))


if __name__ == "__main__":
    main()
