"""Media found with one query and a joined-href pre-check: the site chrome is still left out
for every kind, whichever kinds a page has, and the pre-checks drop no media link."""

from __future__ import annotations

from rfi_cn.extract.media import media_entries

PAGE_URL = "https://www.rfi.fr/cn/专栏检索/p/20251120-x"


def player(media_id: str, url: str, kind: str = "audio") -> str:
    return (
        f'<script data-media-id="{media_id}" type="application/json">'
        f'{{"type": "{kind}", "sources": [{{"url": "{url}"}}]}}</script>'
    )


def test_chrome_is_left_out_for_each_kind_present() -> None:
    page = (
        f"<header>{player('h', 'https://x.test/header.mp3')}<video src='https://x.test/h.mp4'></video></header>"
        f"<nav>{player('live', 'https://x.test/live.mp3', 'live')}<a href='https://x.test/nav.mp3'>n</a></nav>"
        "<footer><a href='https://x.test/f' type='audio/mpeg'>f</a><audio src='https://x.test/f.ogg'></audio></footer>"
        f"<main>{player('m', 'https://x.test/main.mp3')}<a href='https://x.test/main.MP3'>m</a>"
        "<video><source src='https://x.test/v.webm'></video></main>"
    )
    assert media_entries(page, PAGE_URL) == [
        {"url": "https://x.test/main.mp3", "type": "audio", "duration": None},
        {"url": "https://x.test/v.webm", "type": "video", "duration": None},
        {"url": "https://x.test/main.MP3", "type": "audio", "duration": None},
    ]


def test_only_the_live_radio_leaves_nothing_to_look_for_in_the_chrome() -> None:
    page = f"<header>{player('live', 'https://x.test/live.mp3', 'live')}</header><p>text</p>"
    assert media_entries(page, PAGE_URL) == []


def test_link_pre_checks_keep_every_link_kind_of_accepts() -> None:
    links = "".join(f'<a href="https://x.test/{index}.html">{index}</a>' for index in range(50))
    page = (
        f"<main>{links}"
        '<a href="https://x.test/a.OGG#t=1">upper case, a fragment</a>'
        '<a href="https://x.test/b" type="video/mp4">a type hint</a>'
        '<a href="https://x.test/c" type>a bare type</a>'
        '<a href="https://x.test/c.mp3.html">an extension inside the path</a>'
        '<a href="https://x.test/d%2Emp3">an encoded dot</a>'
        '<a href="https://x.test/e&#46;wav">a character reference</a></main>'
    )
    assert media_entries(page, PAGE_URL) == [
        {"url": "https://x.test/a.OGG#t=1", "type": "audio", "duration": None},
        {"url": "https://x.test/b", "type": "video", "duration": None},
        {"url": "https://x.test/e.wav", "type": "audio", "duration": None},
    ]


def test_media_deeper_than_the_ancestor_walk_is_judged_by_lexbors_selectors() -> None:
    """Past ``ANCESTOR_WALK`` levels the chrome test falls back on selectors: same answer."""
    deep = "<div>" * 80
    ends = "</div>" * 80
    page = (
        f"<nav>{deep}{player('a', 'https://x.test/nav.mp3')}<a href='https://x.test/nav.ogg'>a</a>{ends}</nav>"
        f"<main>{deep}{player('m', 'https://x.test/main.mp3')}<audio src='https://x.test/m.ogg'></audio>{ends}</main>"
    )
    assert media_entries(page, PAGE_URL) == [
        {"url": "https://x.test/main.mp3", "type": "audio", "duration": None},
        {"url": "https://x.test/m.ogg", "type": "audio", "duration": None},
    ]
