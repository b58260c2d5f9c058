#!/usr/bin/env bash
# Schedule one rfi_cn crawl on Scrapyd: what deploy/crontab and deploy/rfi-cn-crawl.service run, as
# $RFI_CN_HOME/deploy/rfi-cn-schedule.sh (RFI_CN_HOME: the rfi_cn checkout, default /opt/rfi_cn;
# this script itself uses no path). See docs/deploy.md.
#
# Environment (/etc/rfi_cn/scrapyd.env): SCRAPYD_URL (default http://127.0.0.1:6800),
# SCRAPYD_USERNAME and SCRAPYD_PASSWORD (required).
# Extra arguments go to schedule.json, e.g. -d setting=DATA_LAKE_URI=/srv/lake -d full=1
# Prints Scrapyd's answer. Exit status: 0 scheduled; 78 a variable is missing; 1 Scrapyd refused
# (e.g. "project 'rfi_cn' not found": deploy first); curl's own otherwise (22: an HTTP error such as
# 401, wrong credentials; 7: nothing listens at SCRAPYD_URL).
set -euo pipefail

for name in SCRAPYD_USERNAME SCRAPYD_PASSWORD; do
    if [[ -z "${!name:-}" ]]; then
        printf 'rfi-cn-schedule: %s not set or empty (set it in /etc/rfi_cn/scrapyd.env)\n' "$name" >&2
        exit 78
    fi
done
url="${SCRAPYD_URL:-http://127.0.0.1:6800}"

# The credentials reach curl on its standard input, never on its command line (which ps shows).
token="$(printf '%s:%s' "$SCRAPYD_USERNAME" "$SCRAPYD_PASSWORD" | base64 -w0)"
answer="$(printf 'Authorization: Basic %s\n' "$token" |
    curl --fail --silent --show-error --header @- "$url/schedule.json" -d project=rfi_cn -d spider=rfi_cn "$@")"
printf '%s\n' "$answer"
ok='"status": *"ok"'
if [[ ! "$answer" =~ $ok ]]; then
    printf 'rfi-cn-schedule: Scrapyd did not schedule the crawl (its answer is above)\n' >&2
    exit 1
fi
