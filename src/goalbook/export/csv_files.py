"""The tables as CSV: UTF-8, a header row, "\n" line ends, minimal quoting: what a spreadsheet, R,
pandas or DuckDB reads as it is."""

from __future__ import annotations

import csv
import io

from goalbook.export.tables import Table, dictionary


def table_csv(table: Table) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.name for c in table.columns])
    writer.writerows(table.rows)
    return buf.getvalue().encode("utf-8")


def csv_files(tables: list[Table]) -> dict[str, bytes]:
    """File name → contents: one file per table and the data dictionary."""
    files = {f"{t.name}.csv": table_csv(t) for t in tables}
    files["data_dictionary.csv"] = table_csv(dictionary(tables))
    return files
