"""What the numbers were measured on, and how to print them."""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Sequence
from pathlib import Path


def machine() -> str:
    """CPU model, core count, Python and the key library versions."""
    import lxml.etree
    import scrapy

    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    libxml2 = ".".join(map(str, lxml.etree.LIBXML_VERSION))
    return (
        f"{model}, nproc={os.cpu_count()}, Python {platform.python_version()}, Scrapy {scrapy.__version__}, "
        f"lxml {lxml.__version__} (libxml2 {libxml2}), {platform.system()} {platform.release()}"
    )


def fastest_ms(seconds: Sequence[float]) -> float:
    """Mean of the fastest tenth: what a call costs when other processes leave the core alone."""
    ordered = sorted(seconds)
    return statistics.mean(ordered[: max(1, len(ordered) // 10)]) * 1000


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (it reads in a terminal and pastes into docs/performance.md)."""
    cells = [[str(cell) for cell in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |" for row in cells]
    lines.insert(1, "| " + " | ".join("-" * width for width in widths) + " |")
    return "\n".join(lines)
