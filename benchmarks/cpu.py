"""Figure 4: crawl CPU per article ÷ the null spider's, same settings, same pages, same run.

One server process serves ``articles`` real-size article pages
(``fixture_site.newsroom``: 22 sections, pages of ~540 KB as dear to parse as
the real one) for every crawl of the figure. Each repeat runs, in alternating
order, a fresh ``scrapy crawl rfi_cn`` (an empty crawl state: every article is
exported) and ``scrapy crawl rfi_cn_null`` (``benchmarks.nullspider``: the
project's settings, middlewares and extensions, every page of the site
requested, nothing parsed). CPU is the crawl process's user + system time
(``wait4``) from the spider's opening to its exit (``RssProbe``'s
``bench/cpu_at_open``: imports and start-up are left out), per article page.
The figure is the median over the repeats of the ratio rfi_cn ÷ null.

The floor: (null + one ``Page`` parse of such a page, the depth guard and lexbor,
timed hot in this process) ÷ null. A crawl that parses each page once cannot do
better, whatever the rest of its work costs.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from benchmarks.crawl import PADDING, RELATED, Measured, crawl_measured, served_site
from benchmarks.extraction import fixture_page, time_methods
from benchmarks.figures import Figure
from benchmarks.machine import fastest_ms
from rfi_cn.extract.document import Page

ARTICLES = 2000
TARGET = 1.4


def run(articles: int = ARTICLES, repeats: int = 3, padding: int = PADDING, related: int = RELATED) -> Figure:
    figure = Figure("crawl_cpu_ratio", "crawl CPU per article ÷ null spider", TARGET, "x")
    print(
        f"\n## Figure 4: CPU per article, rfi_cn vs the null spider, {articles} pages of real size, {repeats} repeats"
    )
    per_article: dict[str, list[float]] = {"rfi_cn": [], "null": []}
    walls: dict[str, list[float]] = {"rfi_cn": [], "null": []}
    with tempfile.TemporaryDirectory(prefix="rfi-bench-cpu-") as workdir:
        routes_file = Path(workdir) / "routes.json"
        with served_site(articles, padding, related, newsroom=True, routes_file=routes_file) as site:
            for repeat in range(repeats):
                order = ("null", "rfi_cn") if repeat % 2 == 0 else ("rfi_cn", "null")
                for spider in order:
                    folder = Path(workdir) / f"{spider}-{repeat}"
                    measured, problem = crawl(spider, site.base_url, folder, routes_file, articles)
                    if problem:
                        figure.note = f"{spider} crawl {repeat}: {problem}"
                        print(f"  {figure.note}\n{measured.result.log[-2000:]}")
                        return figure
                    per_article[spider].append(measured.crawl_cpu_seconds / articles)
                    walls[spider].append(measured.wall_seconds)
                    print(
                        f"  {spider}: {articles} article pages, {measured.crawl_cpu_seconds:.1f} s CPU after start-up "
                        f"({measured.cpu_seconds:.1f} s in all), {measured.wall_seconds:.1f} s wall: "
                        f"{per_article[spider][-1] * 1000:.2f} ms per article"
                    )
                figure.samples.append(per_article["rfi_cn"][-1] / per_article["null"][-1])
    figure.value = statistics.median(figure.samples)
    ms = {spider: statistics.median(values) * 1000 for spider, values in per_article.items()}
    figure.detail = {
        "articles": articles,
        "cpu_ms_per_article": {spider: [v * 1000 for v in values] for spider, values in per_article.items()},
        "wall_seconds": walls,
        "server_cpu_ms_per_article": site.serve_cpu_seconds / max(1, len(site.requests)) * 1000,
    }
    parse = parse_ms(padding, related)
    figure.detail["parse_ms"] = parse
    figure.detail["floor"] = (ms["null"] + parse) / ms["null"]
    figure.note = (
        f"{ms['rfi_cn']:.2f} ms vs {ms['null']:.2f} ms per article (medians); "
        f"floor (null + one {parse:.2f} ms page parse) {figure.detail['floor']:.2f}x"
    )
    return figure


def parse_ms(padding: int, related: int, rounds: int = 200) -> float:
    """A ``Page`` parse (depth guard + lexbor) of one page like the crawl's, fastest tenth, in ms."""
    return fastest_ms(time_methods({"parse": Page}, fixture_page(padding, related), rounds)["parse"])


NULL_RUN_HEALTH_FAILED = 3  # HEALTH_FAILED_EXIT_CODE


def null_crawl(
    base_url: str, workdir: Path, routes_file: Path, settings: dict[str, str] | None = None
) -> tuple[Measured, str | None]:
    """One crawl of the null spider over every page of ``routes_file``, and what is wrong with it.

    It has the project's extensions, run health included, and exports nothing: its health is
    "failed" (exit 3) by design; any other non-zero exit is a broken run, and so is a page it
    did not get."""
    measured = crawl_measured(
        base_url, workdir, settings, spider="rfi_cn_null", arguments={"paths_file": str(routes_file)}
    )
    if measured.result.returncode not in (0, NULL_RUN_HEALTH_FAILED):
        return measured, f"exit status {measured.result.returncode}"
    responses, pages = int(measured.stats.get("bench/null_responses", 0)), pages_in(routes_file)
    return measured, None if responses == pages else f"{responses} responses of {pages} pages"


def crawl(spider: str, base_url: str, workdir: Path, routes_file: Path, articles: int) -> tuple[Measured, str | None]:
    """One crawl of ``spider`` (``rfi_cn`` or ``null``) for figure 4, and what is wrong with it."""
    if spider == "null":
        return null_crawl(base_url, workdir, routes_file)
    measured = crawl_measured(base_url, workdir)
    return measured, measured.problem(articles)


def pages_in(routes_file: Path) -> int:
    """The pages of a served site the null spider requests (all but the feeds)."""
    import json

    from benchmarks.nullspider import FEEDS

    return sum(1 for path in json.loads(routes_file.read_text(encoding="utf-8")) if path not in FEEDS)
