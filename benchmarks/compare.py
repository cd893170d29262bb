"""Before and after: several `run.py --json` results per side, as one Markdown table.

    python benchmarks/compare.py --before b1.json b2.json --after a1.json a2.json [--markdown table.md]

For each figure and side: the median over that side's runs of nemo-mcp's value and of its same-run
reference, and the median of the ratios taken run by run (with their range), so that a ratio never mixes
two runs. "met" counts the after runs in which the target was met.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

Key = tuple[str, str]


def load(paths: list[Path]) -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in paths]


def rows_by_key(runs: list[dict[str, Any]]) -> dict[Key, list[dict[str, Any]]]:
    found: dict[Key, list[dict[str, Any]]] = {}
    for run in runs:
        for row in run["rows"]:
            found.setdefault((row["bench"], row["measure"]), []).append(row)
    return found


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"


def side(rows: list[dict[str, Any]]) -> str:
    """`ours / reference (ratio, range)` over one side's runs."""
    if not rows:
        return "not measured"
    ours = [r["ours"] for r in rows if r["ours"] is not None]
    refs = [r["reference"] for r in rows if r["reference"] is not None]
    ratios = [r["ratio"] for r in rows if r["ratio"] is not None]
    text = _num(statistics.median(ours)) if ours else "-"
    if refs:
        text += f" / {_num(statistics.median(refs))}"
    if ratios:
        low, high = min(ratios), max(ratios)
        spread = f", {low:.2f}-{high:.2f}x" if len(ratios) > 1 else ""
        text += f" ({statistics.median(ratios):.2f}x{spread})"
    return text


def table(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> str:
    old, new = rows_by_key(before), rows_by_key(after)
    lines = [
        f"| benchmark | measure | unit | before ({len(before)} runs) | after ({len(after)} runs) | target | met (after) |",
        "|---|---|---|---|---|---|---|",
    ]
    for key in list(dict.fromkeys([*new, *old])):
        rows = new.get(key) or old.get(key) or []
        unit, target = rows[0]["unit"], rows[0]["target"]
        met = [r["met"] for r in new.get(key, []) if r["met"] is not None]
        verdict = f"{sum(met)} of {len(met)}" if met else ""
        lines.append(f"| {key[0]} | {key[1]} | {unit} | {side(old.get(key, []))} | {side(new.get(key, []))} "
                     f"| {target} | {verdict} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def machines(label: str, runs: list[dict[str, Any]]) -> str:
    parts = [f"{r['machine']['date']} (load {r['machine']['load_average']} -> {r.get('load_average_end', '?')})"
             for r in runs]  # fmt: skip
    return f"{label}: " + "; ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", type=Path, nargs="+", required=True, help="run.py --json results, before")
    parser.add_argument("--after", type=Path, nargs="+", required=True, help="run.py --json results, after")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    before, after = load(args.before), load(args.after)
    text = table(before, after)
    text += "\n" + machines("before", before) + "  \n" + machines("after", after) + "\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
