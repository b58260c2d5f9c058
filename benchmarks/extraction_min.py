"""``python3 -m benchmarks.extraction_min``: the spider's item work per article page (figure 3's
``Extraction``) against one ``lxml.html.fromstring``, as the minimum of 2 x 80 back-to-back calls
each (the noise on a shared machine only ever adds time). ``python3 -m benchmarks extraction``
interleaves them instead (colder caches); ``python3 -m benchmarks.extraction_pieces`` times each
piece alone. docs/extraction.md reports all three.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import lxml.html

from benchmarks.extraction import Extraction, the_page


def fastest_ms(method: Callable[[bytes], Any], page: bytes, calls: int = 80) -> float:
    best = float("inf")
    for _ in range(calls):
        start = time.perf_counter()
        method(page)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    label, page = the_page()
    extraction = Extraction()
    extraction(page)  # warm up: imports, caches
    item = min(fastest_ms(extraction, page) for _ in range(2))
    parse = min(fastest_ms(lxml.html.fromstring, page) for _ in range(2))
    print(f"{label}: item {item:.2f} ms, lxml.html.fromstring {parse:.2f} ms, ratio {item / parse:.2f}x")


if __name__ == "__main__":
    main()
