#!/usr/bin/env python3
"""Print the node rows of the reference pipeline's usage.parquet as CSV for `npm run peer`.

    python usage_csv.py OUTPUT/<site>/usage.parquet

Prints `epoch_ms,metric,value` (resource `nodes`, collector `current`), sorted by metric and time.
"""
import sys

import polars as pl

df = (
    pl.read_parquet(sys.argv[1])
    .filter((pl.col("resource") == "nodes") & (pl.col("collector_type") == "current"))
    .select(pl.col("timestamp").dt.epoch("ms").alias("epoch_ms"), "metric", "value")
    .sort("metric", "epoch_ms")
)
sys.stdout.write(df.write_csv())
