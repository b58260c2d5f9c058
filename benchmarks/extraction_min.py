"""``python3 -m benchmarks.extraction_min [--calls 80] [--shared PAGE]``: the spider's item work
per article page (figure 3's ``Extraction``) against one ``lxml.html.fromstring``, as the minimum
of 2 x ``calls`` back-to-back calls each (the noise on a shared machine only ever adds time).
``python3 -m benchmarks extraction`` interleaves them instead (colder caches);
``python3 -m benchmarks.extraction_pieces`` times each piece alone. docs/extraction.md reports all three.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import lxml.html

from benchmarks.extraction import REAL_ARTICLE, Extraction, the_page
from benchmarks.extraction_pieces import timed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=80, help="back-to-back calls per round (2 rounds)")
    parser.add_argument("--shared", type=Path, default=REAL_ARTICLE, help="the real article page")
    args = parser.parse_args(argv)
    label, page = the_page(args.shared)
    extraction = Extraction()
    item = min(timed(lambda: extraction(page), args.calls)[0] for _ in range(2)) / 1000
    parse = min(timed(lambda: lxml.html.fromstring(page), args.calls)[0] for _ in range(2)) / 1000
    print(f"{label}: item {item:.2f} ms, lxml.html.fromstring {parse:.2f} ms, ratio {item / parse:.2f}x")


if __name__ == "__main__":
    main()
