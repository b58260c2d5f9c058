"""Retries across runs: article URLs that failed or were rejected are requested again.

A failure on page 2 of a section would otherwise never be fetched again: the next
run stops the section at page 1, all of whose articles are known. The crawl state
keeps each failed or rejected article URL with its last reason and the number of
runs it failed in (``CrawlStateRecorder``); ``retry_requests`` gives the spider's
start one article request for each that failed in at most ``RFI_RETRY_RUNS`` runs
(default 3), except ``gone`` ones (404/410: ``NEVER_RETRIED``).

The requests take the normal article path: ``ArticleRequestFilter`` claims and
counts them (``rfi_cn/articles/discovered``, and ``rfi_cn/articles/retried``) and
does not drop them as known, so each ends as one outcome. An exported or unchanged
one leaves the list; a failed or rejected one gains an attempt.
"""

from __future__ import annotations

from collections.abc import Callable

from scrapy import Request, Spider

from rfi_cn.state.incremental import incremental_for

RETRY = "rfi_retry"  # request meta: the runs this URL already failed in
NEVER_RETRIED = ("gone",)


def retry_requests(spider: Spider, article_request: Callable[[str], Request]) -> list[Request]:
    """The article requests of this run's retries, built with the spider's ``article_request``."""
    settings = spider.crawler.settings
    if not settings.getbool("CRAWL_STATE_ENABLED"):
        return []
    max_runs = settings.getint("RFI_RETRY_RUNS", 3)
    state = incremental_for(spider.crawler).state
    if state is None or max_runs <= 0:
        return []
    requests = []
    for entry in state.retry_candidates(max_runs, NEVER_RETRIED):
        request = article_request(entry.url)
        request.meta[RETRY] = entry.attempts
        requests.append(request)
    if requests:
        spider.logger.info("Requesting %d article(s) that failed or were rejected before", len(requests))
    return requests
