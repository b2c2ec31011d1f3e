"""A monthly batch job on Charge as a library (see docs/embedding.md): import the partners' OCPI tariffs,
then export the month's revenue per location as CSV.

    python docs/examples/monthly_batch.py sqlite:///./charge.db org_01J… 2026-11 tariffs/ revenue.csv

Every ``*.json`` file in the tariff directory holds one OCPI tariff or a list of them. The import is all or
nothing and can be run again: a tariff whose OCPI id is known gets a new version only when it changed.
"""

import asyncio
import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from entrypoints.library import InvalidInput, Report, open_charge, report_csv


def read_tariffs(directory: Path) -> list[object]:
    documents: list[object] = []
    for path in sorted(directory.glob("*.json")):
        found = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)   # 0.1 stays 0.1
        documents.extend(found if isinstance(found, list) else [found])
    return documents


async def run(database_url: str, organization_id: str, documents: list[object], first: date,
              after: date) -> Report | None:
    async with open_charge(database_url) as charge:
        try:
            imported = await charge.import_tariffs(organization_id, documents)
        except InvalidInput as refused:
            for error in refused.errors:
                print(f"refused: {error.field}: {error.message}", file=sys.stderr)
            return None
        print(f"tariffs: {imported.created} created, {imported.revised} revised, {imported.unchanged} unchanged")
        return await charge.report(organization_id, "revenue", start=first, end=after, group_by="location")


def main(database_url: str, organization_id: str, month: str, tariffs: str, output: str) -> int:
    first = date.fromisoformat(f"{month}-01")
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    report = asyncio.run(run(database_url, organization_id, read_tariffs(Path(tariffs)), first, after))
    if report is None:
        return 1
    Path(output).write_text(report_csv(report), encoding="utf-8", newline="")
    print(f"{output}: {len(report.rows)} locations, {report.currency}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
