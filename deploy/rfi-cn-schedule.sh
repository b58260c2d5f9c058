#!/bin/sh
# Schedule one rfi_cn crawl on Scrapyd. Credentials and URL come from the environment:
#   SCRAPYD_URL (default http://127.0.0.1:6800), SCRAPYD_USERNAME, SCRAPYD_PASSWORD.
# Extra arguments go to schedule.json, e.g. -d setting=DATA_LAKE_URI=/srv/lake -d full=1
set -eu
exec curl --fail --silent --show-error \
    --user "${SCRAPYD_USERNAME}:${SCRAPYD_PASSWORD}" \
    "${SCRAPYD_URL:-http://127.0.0.1:6800}/schedule.json" \
    -d project=rfi_cn -d spider=rfi_cn "$@"
