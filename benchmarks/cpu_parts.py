"""Figure 4 in parts: the crawl's CPU per article with and without the extraction.

``python3 -m benchmarks.cpu_parts [--articles 2000] [--repeats 3]`` serves the
figure's site once (``benchmarks.cpu``: newsroom pages of real size) and runs, in
rotating order, ``scrapy crawl rfi_cn``, the same crawl with the extraction
stubbed out (``benchmarks.stubbed``) and the null spider. It prints each
crawl's CPU per article (after start-up, as figure 4 counts it) and the
medians, split into the null spider's floor, what the crawl adds beyond the
extraction (stubbed − null) and the extraction with its pipelines
(rfi_cn − stubbed). Not part of ``python3 -m benchmarks``; see
docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

from benchmarks.cpu import ARTICLES, crawl
from benchmarks.crawl import EXTENSIONS, PADDING, RELATED, crawl_measured, served_site
from benchmarks.stubbed import PIPELINES

STUBBED = {
    "EXTENSIONS": json.dumps({**EXTENSIONS, "benchmarks.stubbed.StubbedExtraction": 0}),
    "ITEM_PIPELINES": json.dumps(PIPELINES),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m benchmarks.cpu_parts", description=__doc__)
    parser.add_argument("--articles", type=int, default=ARTICLES)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--padding", type=int, default=PADDING, help="bytes of inline CSS per article page")
    parser.add_argument("--related", type=int, default=RELATED, help="related-article cards per article page")
    args = parser.parse_args(argv)
    kinds = ["rfi_cn", "stubbed", "null"]
    ms: dict[str, list[float]] = {kind: [] for kind in kinds}
    with tempfile.TemporaryDirectory(prefix="rfi-bench-cpu-parts-") as workdir:
        routes_file = Path(workdir) / "routes.json"
        with served_site(args.articles, args.padding, args.related, newsroom=True, routes_file=routes_file) as site:
            for repeat in range(args.repeats):
                for kind in kinds[repeat % 3 :] + kinds[: repeat % 3]:
                    folder = Path(workdir) / f"{kind}-{repeat}"
                    if kind == "stubbed":
                        measured = crawl_measured(site.base_url, folder, settings=STUBBED)
                        problem = measured.problem(args.articles)
                    else:
                        measured, problem = crawl(kind, site.base_url, folder, routes_file, args.articles)
                    if problem:
                        print(f"{kind} crawl {repeat}: {problem}\n{measured.result.log[-2000:]}")
                        return 1
                    ms[kind].append(measured.crawl_cpu_seconds / args.articles * 1000)
                    print(f"  {repeat} {kind:8s} {ms[kind][-1]:.2f} ms per article", flush=True)
    median = {kind: statistics.median(values) for kind, values in ms.items()}
    print(f"\nCPU per article, medians of {args.repeats} ({args.articles} articles):")
    print(f"  rfi_cn {median['rfi_cn']:.2f} ms = null spider {median['null']:.2f}")
    print(f"    + beyond extraction (stubbed - null) {median['stubbed'] - median['null']:.2f}")
    print(f"    + extraction and its pipelines (rfi_cn - stubbed) {median['rfi_cn'] - median['stubbed']:.2f}")
    ratios = {kind: median[kind] / median["null"] for kind in ("rfi_cn", "stubbed")}
    print(f"  ratio rfi_cn / null {ratios['rfi_cn']:.2f}x, stubbed / null {ratios['stubbed']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
