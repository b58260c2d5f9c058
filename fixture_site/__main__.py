"""``python3 -m fixture_site``: serve a fixture site on loopback to try the crawler offline.

``--discovery`` serves the discovery fixture (sections plus an RSS feed, sitemaps,
yearly archives, keyword and author pages); without it, the end-to-end site (four
sections with pagination, a reject and a failure). Crawl it with
``-s RFI_BASE_URL=http://127.0.0.1:<port>``; stop it with Ctrl-C.
"""

from __future__ import annotations

import argparse

from fixture_site.discovery import build_discovery_site
from fixture_site.server import FixtureServer
from fixture_site.site import build_site


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python3 -m fixture_site", description=__doc__)
    parser.add_argument("--port", type=int, default=8000, help="loopback port (default 8000; 0: any free port)")
    parser.add_argument("--discovery", action="store_true", help="serve the discovery fixture (RSS, sitemaps, ...)")
    args = parser.parse_args(argv)
    routes = build_discovery_site()[0] if args.discovery else build_site()[0]
    server = FixtureServer(routes, args.port)
    print(f"serving the fixture site on {server.base_url}/cn/ (Ctrl-C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
