"""Every knob of the crawl, with production-safe defaults.

Per run: ``scrapy crawl rfi_cn -s NAME=value`` or, on Scrapyd, ``-d setting=NAME=value``.
Environment variables override the lake root (``DATA_LAKE_URI``) and the
origin (``RFI_BASE_URL``).
"""

import os

BOT_NAME = "rfi_cn"
SPIDER_MODULES = ["rfi_cn.spiders"]
NEWSPIDER_MODULE = "rfi_cn.spiders"

# --- What we crawl -------------------------------------------------------
# The origin pages are fetched from: the real site, a mirror, a replay or a
# loopback test server. Only the download handler sees it (rfi_cn/middlewares/mirror.py);
# requests, records and the crawl state keep the real-site URLs.
RFI_BASE_URL = os.environ.get("RFI_BASE_URL", "https://www.rfi.fr")
DOWNLOAD_HANDLERS = {
    "http": "rfi_cn.middlewares.mirror.MirrorDownloadHandler",
    "https": "rfi_cn.middlewares.mirror.MirrorDownloadHandler",
}

# Duplicate filter (local and Redis) keyed on the crawl key (rfi_cn/site.py, rfi_cn/middlewares/fingerprint.py).
REQUEST_FINGERPRINTER_CLASS = "rfi_cn.middlewares.fingerprint.CrawlKeyFingerprinter"

# --- Politeness ----------------------------------------------------------
# Who runs the crawl: a URL or an e-mail address (also env RFI_CONTACT; the old
# RFI_CONTACT_URL is read as a fallback). The User-Agent is "rfi_cn/1.0 (+<contact>)"
# (rfi_cn/contact.py); a run against the real site without it logs a warning.
RFI_CONTACT = os.environ.get("RFI_CONTACT") or None
USER_AGENT = "rfi_cn/1.0"  # replaced by rfi_cn/contact.py unless set with -s
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# --- Faults and limits ---------------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # a real article page is ~550 KB
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# Response headers (status line included) are bounded too (rfi_cn/middlewares/limits.py): a
# response over either bound fails "too_large" (typical responses: a few KB, a few dozen headers).
RFI_MAX_HEADER_BYTES = 64 * 1024
RFI_MAX_HEADER_COUNT = 200
# Let 404/410/403/429 reach the errbacks so they land in the failures records.
HTTPERROR_ALLOW_ALL = False
# Meta refresh costs a decode of every page and RFI does not use it.
METAREFRESH_ENABLED = False
# Retry-After honoured (awaited without blocking); a longer wait than this is not retried.
RETRY_AFTER_MAX_SECONDS = 120.0
# Redirects never leave the site's origin; retries wait for Retry-After (rfi_cn/middlewares/fetching.py).
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "rfi_cn.middlewares.fetching.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "rfi_cn.middlewares.fetching.SafeRedirectMiddleware": 600,
}

# --- Safety --------------------------------------------------------------
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
COOKIES_ENABLED = False

# --- Items ---------------------------------------------------------------
ITEM_PIPELINES = {
    "rfi_cn.pipelines.CleanBodyPipeline": 100,
    "rfi_cn.pipelines.NormaliseDatesPipeline": 200,
    "rfi_cn.pipelines.ValidatePipeline": 300,
    "rfi_cn.pipelines.DeduplicatePipeline": 400,
    "rfi_cn.state.incremental.SkipUnchangedPipeline": 500,
}
CONCURRENT_ITEMS = 16
# Article requests pass since/until, this run's claims and the crawl state (rfi_cn/middlewares/requests.py).
# A callback's exception ends its page as a parse_error failure (rfi_cn/middlewares/errors.py).
SPIDER_MIDDLEWARES = {
    "rfi_cn.middlewares.requests.ArticleRequestFilter": 950,
    "rfi_cn.middlewares.errors.CallbackErrors": 960,
}
RFI_CLAIMS_BACKEND = "rfi_cn.middlewares.requests.LocalClaims"  # distributed mode: Redis claims
# Scrapy's dupefilter, less admitted article requests while it lives in memory (the claims
# deduplicate them); with a JOBDIR it records every request; distributed mode: Redis's.
DUPEFILTER_CLASS = "rfi_cn.middlewares.requests.ArticleDupeFilter"
EXTENSIONS = {
    "scrapy.extensions.logstats.LogStats": None,  # replaced by the article progress line
    "scrapy.extensions.corestats.CoreStats": None,  # replaced: item_scraped_count counts articles only
    "rfi_cn.health.progress.ArticleCoreStats": 0,
    "rfi_cn.health.progress.Progress": 0,
    "rfi_cn.health.extension.RunHealth": 100,
    "spidermon.contrib.scrapy.extensions.Spidermon": 700,
    "rfi_cn.accounting.ArticleAccounting": 500,
    "rfi_cn.state.incremental.CrawlStateRecorder": 510,
    "rfi_cn.state.resume.JobRunMarker": 520,
    "rfi_cn.runtime.FrozenStartupHeap": 990,
}
# The garbage collector's full collections skip what start-up left alive, and its youngest
# generation is collected every RFI_GC_YOUNG_THRESHOLD net allocations (Python: 700; 0 keeps
# Python's) while the spider runs (rfi_cn/runtime.py); each works without the other.
RFI_GC_FREEZE = True
RFI_GC_YOUNG_THRESHOLD = 5000

# --- Run health (docs/health.md) -----------------------------------------
# `scrapy crawl` is rfi_cn.commands.crawl: its exit status is the run's health.
COMMANDS_MODULE = "rfi_cn.commands"
HEALTH_ENABLED = True  # off only in scrapy check/parse/shell, which judge no run
HEALTH_FAILED_EXIT_CODE = 3  # exit status of a `failed` run (1 stays Scrapy's "could not start")
HEALTH_DEGRADED_EXIT_CODE = 0  # exit status of a `degraded` run; e.g. 4 to make cron/systemd see it
# Blocked (401/403/429/451) or transient failures over this percent of the pages requested fail the run.
HEALTH_MAX_FAILURE_SHARE = 20.0
# Rejects (fetched, not a valid article) above this percent of discovered articles: `degraded`.
HEALTH_MAX_REJECT_SHARE = 10.0
HEALTH_REJECT_SHARE_MIN_ARTICLES = 20  # ... judged over at least this many new (not retried) articles
# Percent of exported articles that must have each field (else `degraded`); {} restores these defaults.
HEALTH_COVERAGE_FLOORS = {
    "url": 100.0,
    "title": 100.0,
    "body_text": 100.0,
    "published_at": 100.0,
    "lead": 90.0,
    "section": 90.0,
    "image_url": 80.0,
    "tags": 50.0,
    "authors": 20.0,
}
HEALTH_COVERAGE_MIN_ARTICLES = 1  # coverage and drift are judged over at least this many exported articles
# Drift: a field whose coverage falls more than HEALTH_DRIFT_POINTS below the median of the
# last HEALTH_DRIFT_RUNS manifests (runs that exported and did not fail) is `degraded`.
HEALTH_DRIFT_POINTS = 25.0
HEALTH_DRIFT_RUNS = 5
HEALTH_DRIFT_MIN_RUNS = 3  # fewer earlier runs than this: no drift check
# The change feed failed, was invalid or listed no article this many runs in a row (each walked instead):
# degraded (0: never).
HEALTH_CHANGE_FEED_FAILED_RUNS = 3
# Notifications (off while HEALTH_WEBHOOK_URL is unset): POST the health as JSON when a run is
# at least HEALTH_WEBHOOK_MIN_STATUS ("degraded" or "failed"). HEALTH_NOTIFY_ACTIONS adds
# Spidermon actions (e.g. "spidermon.contrib.actions.slack.notifiers.SendSlackMessageSpiderFinished").
HEALTH_WEBHOOK_URL = os.environ.get("HEALTH_WEBHOOK_URL") or None
HEALTH_WEBHOOK_MIN_STATUS = "degraded"
HEALTH_WEBHOOK_TIMEOUT = 10.0
HEALTH_NOTIFY_ACTIONS: list[str] = []
SPIDERMON_ENABLED = True
SPIDERMON_ENGINE_STOP_MONITORS = ["rfi_cn.health.monitors.RunHealthMonitorSuite"]
# Progress: every LOGSTATS_INTERVAL seconds, articles so far, pages per minute and the queue.
LOGSTATS_INTERVAL = 30.0

# --- Output: the data lake ----------------------------------------------
# <root>/rfi_cn/{articles,rejects,failures}/dt=YYYY-MM-DD/part-<job>-<batch>.jsonl
ADDONS = {
    "rfi_cn.names.SafeNames": -100,  # job/run ids that become paths or keys: checked first (rfi_cn/names.py)
    "rfi_cn.contact.OperatorContact": -90,  # the User-Agent names RFI_CONTACT
    "rfi_cn.lake.addon.DataLakeFeeds": 0,
    "rfi_cn.distributed.addon.DistributedMode": 10,
}
DATA_LAKE_ENABLED = True
DATA_LAKE_URI = os.environ.get("DATA_LAKE_URI", "data")
RFI_JOB_ID = None  # Scrapyd's SCRAPY_JOB wins; else start time and pid. [A-Za-z0-9._-]{1,128}, no leading dot
FEED_URI_PARAMS = "rfi_cn.lake.addon.uri_params"
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORT_BATCH_ITEM_COUNT = 5000
FEED_STORE_EMPTY = False
# None: part-*.jsonl; "gzip": part-*.jsonl.gz (Scrapy's GzipPlugin). Files appear
# only when complete; <root>/rfi_cn/_manifests/<job>.json is written last.
DATA_LAKE_COMPRESSION = None
# Only storages that publish whole files (local files: rename; S3: one upload) may hold
# the lake; True lets a DATA_LAKE_URI on another scheme (ftp://, gs://) through anyway.
DATA_LAKE_ALLOW_NON_ATOMIC = False

# --- Distributed mode (see README, "Scaling out") -----------------------
# REDIS_URL (setting or environment variable) switches it on. Always with a password or an
# ACL user (redis://:<password>@127.0.0.1:6379/0, rediss://rfi_worker:<password>@host:6380/0;
# docs/security.md). Queued requests are JSON, never pickle (rfi_cn/distributed/serializer.py).
REDIS_URL = None
DISTRIBUTED_MODE = False  # set by the distributed add-on when REDIS_URL is given; read, never set by hand
REDIS_RUN_ID = None  # shared by the workers of one run; default: the current UTC hour. A safe name, as RFI_JOB_ID
REDIS_RUN_TTL = 7 * 24 * 3600  # seconds a run's keys are kept
REDIS_WORKER_TTL = 120  # seconds without a heartbeat before a worker counts as dead
REDIS_STATE_KEY = "rfi_cn:state"  # the crawl state in Redis (shared by all runs; never expires)

# --- Incremental crawling: the crawl state --------------------------------
# Every exported article (id, url, content_hash, published_at, last seen), so a
# scheduled run skips what it has. Beside the data folder, never in the egg;
# delete the file to reset. `-a full=1` ignores it (a backfill) but still records.
CRAWL_STATE_ENABLED = True
CRAWL_STATE_BACKEND = "rfi_cn.state.store.SqliteCrawlState"
CRAWL_STATE_PATH = os.environ.get("CRAWL_STATE_PATH", "crawl-state/rfi_cn.sqlite3")
CRAWL_STATE_TIMEOUT = 30.0  # seconds a writer waits for another job's write
CRAWL_STATE_CACHE_KIB = 512  # SQLite's page cache for the state (its default: 2,048); at least 64

# Known articles published this recently are fetched again, and exported again
# only when their content_hash changed.
INCREMENTAL_REFRESH_HOURS = 48.0
INCREMENTAL_NOW = None  # the clock; an ISO time pins "now" (replays, tests)
# Listings are newest first: a listing page that lists an article known and older than the
# refresh window ends its section's walk (its next pages hold older, known articles).
RFI_STOP_AT_KNOWN = True
# A change feed read first by a run whose crawl state holds articles (rfi_cn/spiders/feed.py):
# a path under /sitemaps/cn/; the news sitemap lists the last two days with lastmod. When an
# article of its oldest day is known, the sections are not walked (unless a walk is due, below),
# and a known article is fetched again only when its lastmod is later than at its export.
# A feed that fails (404, 403, redirect, too big, garbage) costs one request; the walk follows.
# None: always walk, and refresh by INCREMENTAL_REFRESH_HOURS alone.
RFI_CHANGE_FEED = "/sitemaps/cn/news.xml"
RFI_CHANGE_FEED_MAX_BYTES = 4 * 1024 * 1024  # the feed's body (inflated too); a news sitemap of 1,000 URLs is ~1 MB
RFI_CHANGE_FEED_MAX_URLS = 1000  # a news sitemap holds at most 1,000: a longer feed is ignored (the walk follows)
# The safety net against a feed that parses but lies (lists some sections, goes stale): a run
# walks the sections anyway when the last walk (kept in the crawl state) is older than this.
# A walk that finds a new article the feed should have listed counts rfi_cn/change_feed/missed
# (health degraded) and makes every run walk until a walk finds the feed complete. 0: always walk.
RFI_WALK_EVERY_HOURS = 168.0
# Article URLs that failed or were rejected are kept in the crawl state and requested
# directly by the next runs, up to this many runs (404/410 "gone" ones never).
RFI_RETRY_RUNS = 3

# --- Checks (scrapy check): @path names a page of the site -----------------
SPIDER_CONTRACTS = {"rfi_cn.spiders.contracts.PathContract": 10}

# --- Engine --------------------------------------------------------------
LOG_LEVEL = "INFO"
# Scrapy's check for a generator callback that returns a value re-reads and parses the
# callback's source (inspect.getsource + ast.parse, ~1 ms) whenever its weak cache has lost
# the bound method: about once per page here. tests/unit/spiders/test_callbacks.py runs the
# same check over every callback instead.
WARN_ON_GENERATOR_RETURN_VALUE = False

# --- Navigation bounds (docs/crawling.md) --------------------------------
# Listing pages walked per section (keyword, author page); `-a max_pages` may lower it.
# A section also ends after a page listing no article its earlier pages did not.
RFI_MAX_LISTING_PAGES = 50

# --- Discovery sources (-a discover=...) ---------------------------------
# Paths on RFI_BASE_URL. Sitemap documents may only live under /sitemaps/cn/.
RFI_RSS_PATHS = ["/cn/rss"]
RFI_SITEMAP_PATHS = ["/sitemaps/cn/index.xml", "/sitemaps/cn/news.xml"]
# The oldest yearly archive /cn/档案资料库/<year>/ a backfill without `since` starts from.
RFI_ARCHIVE_FIRST_YEAR = 2006

# --- Commands --------------------------------------------------------------
# check, parse and shell fetch like a crawl (RFI_BASE_URL holds) but never write
# the lake or the crawl state; parse picks the callback from the URL and runs the
# pipelines (rfi_cn/commands/).
COMMANDS_MODULE = "rfi_cn.commands"
