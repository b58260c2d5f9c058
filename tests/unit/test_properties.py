"""Property-based tests: the body cleaner and the date normaliser on arbitrary and hostile input.

Cleaner properties, for any input:
- it never raises, and its output is a fixed point (``clean(clean(x)) == clean(x)``);
- its output holds no forbidden markup, as two different HTML parsers read it
  (libxml2 through lxml, and the standard library's tokenizer): only the kept
  tags, no attribute but ``href`` on ``a``, and every ``href`` absolute
  http/https/mailto once a browser strips what it strips (C0 controls, spaces,
  tabs and newlines);
- "it keeps the text of what it keeps": for markup built from kept tags, tags
  it unwraps and elements it deletes (each holding a marker text), the text of
  the output equals the text outside the deleted elements, in order, once all
  white space is removed on both sides (the cleaner only squeezes and trims
  white space, and removes line breaks between CJK characters);
- nesting thousands of levels deep never shortens a body: its whole text comes
  out, or ``TooDeepError`` refuses it (only past ``MAX_DEPTH``).

Date normaliser properties: never raises; a result is ``YYYY-MM-DDTHH:MM:SSZ``
and normalises to itself; any text gives no date, or a date whose year, month,
day, hour and minute, read in the zone the text was written in (``read_date``,
before conversion to UTC), all appear in the text; a generated date-like text
missing one of them, or naming a zone the parser does not know, gives no date,
and a complete one gives exactly the fields it states; an aware datetime written
in ISO 8601 comes back as its UTC instant when it lies between 1990-01-01 and a
day after the crawl; a Paris wall-clock time written the way the site shows it
(``30/11/2025 - 10:13``) comes back as the UTC instant ``zoneinfo`` gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from html import escape
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import lxml.html
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rfi_cn.normalise.cleaning import KEPT_TAGS, MAX_DEPTH, TooDeepError, body_text, clean_body, clean_body_html
from rfi_cn.normalise.dates import read_date, to_utc_iso

BASE = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20250101-x"
BOUNDED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MARKER = "删除标记"  # the text inside every element the cleaner must delete

# --- what the output may hold ---------------------------------------------

_URL_STRIPPED = re.compile(r"[\x00-\x20]")  # what a browser strips from an href before reading its scheme


def _href_is_safe(href: str) -> bool:
    scheme = _URL_STRIPPED.sub("", href).split(":", 1)[0].lower()
    return ":" in href and scheme in {"http", "https", "mailto"}


class _Tokens(HTMLParser):
    """Start tags and their attributes, as the standard library tokenizer reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_safe(html: str) -> None:
    assert "\x00" not in html
    tokens = _Tokens()
    tokens.feed(html)
    tokens.close()
    for tag, attrs in tokens.tags:
        assert tag in KEPT_TAGS, (tag, html)
        for name, value in attrs:
            assert tag == "a" and name == "href" and value is not None and _href_is_safe(value), (tag, name, html)
    if not html:
        return
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iterdescendants():
        assert isinstance(element.tag, str) and element.tag in KEPT_TAGS, (element.tag, html)
        assert set(element.attrib) <= ({"href"} if element.tag == "a" else set()), html
        if element.tag == "a":
            assert _href_is_safe(element.get("href")), html


def _squash(text: str) -> str:
    return re.sub(r"[\s\u200b]+", "", text)


def _text_of(html: str) -> str:
    if not html:
        return ""
    return lxml.html.fragment_fromstring(html, create_parent="div").text_content()


# --- generated markup -----------------------------------------------------

WORDS = st.text(
    alphabet=st.sampled_from("中文测试新闻，。「」abcXYZ 019<>&\"'\n\t\u3000\u00a0\u200b"), min_size=1, max_size=12
)
HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">点</a>',
    '<a href=" &#x6A;avascript:alert(1)">点</a>',
    '<a href="java\tscript:alert(1)">点</a>',
    '<a href="\x01javascript:alert(1)">点</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">点</a>',
    '<a href="vbscript:msgbox(1)">点</a>',
    '<a href="//evil.example/">点</a>',
    "<svg onload=alert(1)><p>x</p></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=//evil.example></iframe>",
    "<style>p{background:url(javascript:alert(1))}</style>",
    '<p style="x:expression(alert(1))" onclick="alert(1)" onmouseover=alert(1)>段</p>',
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<template><script>alert(1)</script></template>",
    "<object data=x></object><embed src=x>",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<base href="javascript:/"><meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<xmp><script>alert(1)</script></xmp>",
    "<textarea><script>alert(1)</script></textarea>",
    "<p><a href='https://ok.example/' onclick=alert(1) style=x>好链接</a></p>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<p>未闭合<strong>粗<em>斜",
    "</p></div></li>",
    "<ul><p>段在列表里</p></ul>",
    "<p><p><p>嵌</p></p></p>",
    "<a href=https://a.example/><a href=https://b.example/>套</a></a>",
    "<li>孤立项</li>",
    "<h2><p>标题段</p></h2>",
    "\x00\x08\x0b\x0c\x1f\ufffe",
    "&#0;&#x1;&#xD800;&lt;script&gt;",
]
# Elements deleted with what they hold: their text is MARKER.
DROPPED = ["script", "style", "iframe", "noscript", "template", "object", "svg", "form", "aside", "nav", "figure"]
JUNK_CLASSES = ["m-interstitial", "o-self-promo", "m-share-bar", "t-content__shares", "m-block-ad"]


@st.composite
def kept_markup(draw: st.DrawFn, depth: int = 0) -> tuple[str, str]:
    """(markup, the text the cleaner must keep from it)."""
    parts: list[tuple[str, str]] = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(["text", "kept", "unwrapped", "link", "dropped", "junk"] if depth < 3 else ["text"])
        )
        if kind == "text":
            text = draw(WORDS)
            parts.append((escape(text), text))
        elif kind in ("kept", "unwrapped"):
            tag = draw(st.sampled_from(["p", "h2", "h3", "blockquote", "strong", "em", "li"]))
            if kind == "unwrapped":
                tag = draw(st.sampled_from(["span", "font", "div", "section", "b", "i", "u", "article"]))
            inner, text = draw(kept_markup(depth + 1))
            attrs = draw(st.sampled_from(["", ' class="x"', ' style="color:red"', ' onclick="alert(1)"']))
            parts.append((f"<{tag}{attrs}>{inner}</{tag}>", text))
        elif kind == "link":
            href = draw(st.sampled_from(["https://ok.example/a", "/cn/x/", "javascript:alert(1)", "data:,x", "#top"]))
            inner, text = draw(kept_markup(depth + 1))
            parts.append((f'<a href="{escape(href)}">{inner}</a>', text))
        elif kind == "dropped":
            tag = draw(st.sampled_from(DROPPED))
            parts.append((f"<{tag}>{MARKER}</{tag}>", ""))
        else:
            parts.append((f'<div class="{draw(st.sampled_from(JUNK_CLASSES))}"><p>{MARKER}</p></div>', ""))
    return "".join(markup for markup, _ in parts), "".join(text for _, text in parts)


hostile_markup = st.lists(
    st.one_of(st.sampled_from(HOSTILE), kept_markup().map(lambda pair: pair[0]), WORDS.map(escape)), max_size=8
).map("".join)


# --- the cleaner ----------------------------------------------------------


@BOUNDED
@given(st.one_of(st.text(max_size=200), hostile_markup))
@example("\x08")  # found by hypothesis: lxml refuses control characters
@example("&#0;&#x1;&#xD800;")  # ... and character references to them
@example('<a href="https://ok.example/a"><span><a href="https://ok.example/a">0</a></span></a>')  # re-read as two links
@example('<a href="https://ok.example/a">0 <script>x</script></a> ')  # one pass: edge space under a dropped tail
def test_cleaner_never_raises_is_idempotent_and_outputs_only_safe_markup(raw: str) -> None:
    body = clean_body(raw, BASE)
    clean = body.html
    assert_safe(clean)
    assert clean_body_html(clean, BASE) == clean
    assert body.text == body_text(clean)  # the text of the one tree is the text the HTML reads back as
    assert _squash(body_text(clean)) == _squash(_text_of(clean))


@BOUNDED
@given(kept_markup())
def test_cleaner_keeps_the_text_of_what_it_keeps(pair: tuple[str, str]) -> None:
    raw, kept_text = pair
    clean = clean_body_html(raw, BASE)
    assert MARKER not in clean
    assert _squash(_text_of(clean)) == _squash(kept_text)
    assert _squash(body_text(clean)) == _squash(kept_text)  # and body_text loses none of it
    assert_safe(clean)
    assert clean_body_html(clean, BASE) == clean


def test_hostile_samples_one_by_one() -> None:
    for raw in HOSTILE:
        clean = clean_body_html(raw, BASE)
        assert_safe(clean)
        assert clean_body_html(clean, BASE) == clean
        assert "<script" not in clean.lower() and "javascript" not in clean.lower(), clean


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(["span", "strong", "em", "div", "font", "blockquote", "li", "b"]), min_size=1, max_size=4),
    st.integers(0, 3000),
)
@example(["span"], 260)
@example(["strong"], 1000)
@example(["strong", "span"], 1000)  # refused
@example(["li"], 3000)  # a list item closes the one before it: shallow
def test_deep_nesting_keeps_the_whole_text_or_is_refused(tags: list[str], times: int) -> None:
    """Never a shortened body: the text after a deep block is all there, or the body is refused."""
    opening = "".join(f"<{tag}>" for tag in tags) * times
    closing = "".join(f"</{tag}>" for tag in reversed(tags)) * times
    raw = f"<p>前文</p>{opening}深处{closing}<p>后文一</p><p>后文二</p>"
    try:
        clean = clean_body_html(raw, BASE)
    except TooDeepError:
        assert len(tags) * times + 1 >= MAX_DEPTH  # refused only past the limit
        return
    assert _squash(body_text(clean)) == "前文深处后文一后文二"
    assert clean_body_html(clean, BASE) == clean


# --- the date normaliser --------------------------------------------------

_ISO_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2025, 12, 1, 12, 0, tzinfo=UTC)  # "the crawl"
FAR_FUTURE = datetime(2200, 1, 1, tzinfo=UTC)  # a crawl after every date generated: no upper bound
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# (caption, zone suffix, the offsets in hours that zone has; None: a zone the parser must not guess)
ZONES = [
    ("", "", {1, 2}),  # no zone: Paris, winter or summer
    ("发表时间： ", "", {1, 2}),
    ("", "Z", {0}),
    ("", " GMT", {0}),
    ("", " +08:00", {8}),
    ("", "-0530", {-5.5}),
    ("", " UTC+8", {8}),
    ("", " EST", {-5}),
    ("北京时间 ", "", {8, 9}),  # China kept summer time until 1991
    ("", " CST", None),
    ("", " XYZ", None),
    ("东京时间 ", "", None),
]
FORMS = ["iso", "dmy", "cjk", "cjk_clock", "rfc"]
TIME_FIELDS = ("hour", "minute", "second")
CJK_CLOCK_UNITS = {"hour": "时", "minute": "分", "second": "秒"}


@dataclass(frozen=True)
class DateText:
    """A generated date-like text and what it states."""

    text: str
    fields: dict[str, int]  # every field written in the text
    offsets: set[float] | None  # the hours its zone can be off UTC; None when the zone is unknown

    @property
    def complete(self) -> bool:
        """Year, month, day, hour and minute written, in a known zone."""
        return self.offsets is not None and {"year", "month", "day", "hour", "minute"} <= set(self.fields)


@st.composite
def date_texts(draw: st.DrawFn) -> DateText:
    """A date written in one of the forms, from random (possibly impossible) fields, some left out."""
    fields = {
        "year": draw(st.integers(1985, 2030)),
        "month": draw(st.integers(0, 13)),
        "day": draw(st.integers(0, 32)),
        "hour": draw(st.integers(0, 25)),
        "minute": draw(st.integers(0, 61)),
        "second": draw(st.integers(0, 61)),
    }
    for name in ("year", "month", "day"):
        if draw(st.integers(0, 5)) == 0:
            del fields[name]
    for name in TIME_FIELDS[draw(st.sampled_from([0, 1, 2, 2, 3, 3])) :]:  # a clock is written from the hour on
        del fields[name]
    caption, suffix, offsets = draw(st.sampled_from(ZONES))
    body = _render(draw(st.sampled_from(FORMS)), fields, pad=draw(st.booleans()))
    return DateText(caption + body + suffix, fields, offsets)


def _render(form: str, fields: dict[str, int], pad: bool) -> str:
    """``fields`` in ``form``; ``pad`` writes day, month and hour with two digits where a form allows one."""

    def part(name: str) -> str:
        width = 4 if name == "year" else 2 if pad or form == "iso" or name in ("minute", "second") else 1
        return f"{fields[name]:0{width}d}" if name in fields else ""

    def joined(separator: str, *names: str) -> str:
        return separator.join(part(name) for name in names if name in fields)

    clock = joined(":", *TIME_FIELDS)
    if form == "iso":
        return "T".join(filter(None, [joined("-", "year", "month", "day"), clock]))
    if form == "dmy":
        return " - ".join(filter(None, [joined("/", "day", "month", "year"), clock]))
    if form == "rfc":
        month = fields.get("month", 0)
        name = MONTH_NAMES[month - 1] if 1 <= month <= 12 else part("month")
        return " ".join(filter(None, [part("day"), name, part("year"), clock]))
    units = {"year": "年", "month": "月", "day": "日"}
    if form == "cjk_clock":
        return "".join(part(name) + unit for name, unit in (units | CJK_CLOCK_UNITS).items() if name in fields)
    return " ".join(filter(None, ["".join(part(name) + unit for name, unit in units.items() if name in fields), clock]))


def _written(number: int, text: str) -> bool:
    return str(number) in text or f"{number:02d}" in text


ANY_TEXT = st.one_of(
    st.text(max_size=60), st.from_regex(r"[\d/ :.\-TZ+]{1,40}", fullmatch=True), date_texts().map(lambda d: d.text)
)


@BOUNDED
@given(ANY_TEXT)
def test_dates_never_raise_and_give_a_fixed_point(value: str) -> None:
    result = to_utc_iso(value, now=NOW)
    if result is not None:
        assert _ISO_Z.fullmatch(result), result
        assert to_utc_iso(result, now=NOW) == result


@BOUNDED
@given(ANY_TEXT)
@example("2025年11月30日 10:13")  # dateutil made 2025-12-02T23:00:00Z of it
@example("Sun, 30 Nov 2025 10:13:00 GMT")
def test_a_date_is_read_from_what_the_text_states_or_not_at_all(value: str) -> None:
    """Any text: no date, or a date whose fields, in the zone the text was written in, are all in it."""
    moment = read_date(value)
    result = to_utc_iso(value, now=NOW)
    if moment is None:
        assert result is None
        return
    assert f"{moment.year:04d}" in value, value
    month_name = MONTH_NAMES[moment.month - 1].lower()
    assert _written(moment.month, value) or month_name in value.lower(), value
    assert all(_written(number, value) for number in (moment.day, moment.hour, moment.minute)), value
    assert moment.second == 0 or _written(moment.second, value), value
    in_range = datetime(1990, 1, 1, tzinfo=UTC) <= moment <= NOW + timedelta(days=1)
    assert result == (moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if in_range else None)


@BOUNDED
@given(date_texts())
@example(DateText("2025-11-30", {"year": 2025, "month": 11, "day": 30}, {1, 2}))
@example(DateText("10:13", {"hour": 10, "minute": 13}, {1, 2}))
@example(DateText("30 Nov 2025 10:00 CST", {"year": 2025, "month": 11, "day": 30, "hour": 10, "minute": 0}, None))
def test_a_date_missing_a_field_or_its_zone_is_no_date(date: DateText) -> None:
    """Generated texts: an incomplete one gives no date; a complete one gives exactly what it states, or nothing
    when it is impossible (13th month, 25 o'clock, 30 February)."""
    moment = read_date(date.text)
    if not date.complete:
        assert moment is None and to_utc_iso(date.text, now=FAR_FUTURE) is None, date
        return
    assert date.offsets is not None
    try:
        stated = datetime(*(date.fields[name] for name in ("year", "month", "day", "hour", "minute")))
        stated = stated.replace(second=date.fields.get("second", 0))
    except ValueError:
        assert moment is None, date
        return
    assert moment is not None, date
    assert moment.replace(tzinfo=None) == stated, date
    offset = moment.utcoffset()
    assert offset is not None and offset / timedelta(hours=1) in date.offsets, date


@BOUNDED
@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31)),
    st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes))),
)
def test_an_iso_datetime_with_an_offset_is_its_utc_instant_when_in_range(moment: datetime, zone: timezone) -> None:
    aware = moment.replace(microsecond=0, tzinfo=zone)
    in_range = datetime(1990, 1, 1, tzinfo=UTC) <= aware <= NOW + timedelta(days=1)
    expected = aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if in_range else None
    assert to_utc_iso(aware.isoformat(), now=NOW) == expected


@BOUNDED
@given(st.datetimes(min_value=datetime(1990, 1, 2), max_value=datetime(2099, 12, 31)))
@example(datetime(2038, 4, 1, 0, 0))  # found by hypothesis: dateutil's tz forgot DST after 2038
def test_a_visible_paris_time_comes_back_as_its_utc_instant(moment: datetime) -> None:
    wall = moment.replace(second=0, microsecond=0, fold=0)  # the page says nothing of the fold: the first reading
    expected = wall.replace(tzinfo=PARIS).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert to_utc_iso(f"{wall:%d/%m/%Y - %H:%M}", now=FAR_FUTURE) == expected
    assert to_utc_iso(f"更新时间： {wall:%d/%m/%Y - %H:%M}", now=FAR_FUTURE) == expected
    assert to_utc_iso(f"{wall:%Y}年{wall.month}月{wall.day}日 {wall:%H:%M}", now=FAR_FUTURE) == expected
