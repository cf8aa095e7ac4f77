"""Loaders that map real exports into the raw data contract (`docs/raw-contract.md`).

Each loader writes every contract table as `<out>/<source>/<table>.parquet`, typed by
`revenue_engine.loaders.contract`, so `RAW_DATA_DIR=<out>` points the project at it.

- `revenue_engine.loaders.maven_crm`: the public Maven Analytics CRM export
  (`load_maven_crm(source, out)`, or `python -m revenue_engine.loaders.maven_crm`).
"""
