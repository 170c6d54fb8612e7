"""A minimal stand-in for the `ibis` package (ibis-framework), for the peer comparison only.

The reference pipeline (ChameleonCloud/usage-exploration) imports ibis at start-up
(`chameleon_usage.output.compat`), but uses it only for `extract` (MySQL -> parquet) and for
`process --export-uri` (pushing the output into a database). `npm run peer` writes the parquet
inputs itself and never passes `--export-uri`, so this module lets `process` start without
installing ibis (which is not available from this machine's package index). Any real use fails
loudly instead of doing something else.
"""

__version__ = "0+standin"


def connect(*_args, **_kwargs):
    raise RuntimeError(
        "ibis stand-in (bench/peer/pythonpath/ibis): the real ibis-framework is not installed; "
        "extract and --export-uri are not supported in the peer comparison"
    )
