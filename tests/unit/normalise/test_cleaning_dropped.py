"""Dropped blocks go with all they hold and leave their tails in place, whatever the case of
their tag names (``_drop_junk`` removes them in one ``strip_elements`` pass)."""

from __future__ import annotations

import pytest

from rfi_cn.normalise.cleaning import clean_body

BASE = "https://www.rfi.fr/cn/x"


@pytest.mark.parametrize(
    ("raw", "html"),
    [
        ("<p>a<SCRIPT>x()</SCRIPT>b</p><Style>p{}</Style>c", "<p>ab</p>c"),
        ("<p>one<!-- c -->two<?pi x?>three</p>", "<p>onetwothree</p>"),
        ("<p>x<Svg><p>in svg</p></Svg>after</p>", "<p>xafter</p>"),
        ("<p>lead<figure><img src=a.jpg><figcaption>cap</figcaption></figure>tail</p>", "<p>leadtail</p>"),
        (
            "<div class='m-block-ad'><script>ad()</script>ad</div><p>text<iframe src=x></iframe> end</p>",
            "<p>text end</p>",
        ),
        ("<p><span>a</span><noscript><p>ns</p></noscript>z</p>", "<p>az</p>"),
        ("<p>a<aside><script>1</script><figure>2</figure></aside>b<FOOTER>f</FOOTER>c</p>", "<p>abc</p>"),
    ],
)
def test_dropped_blocks_leave_only_their_tails(raw: str, html: str) -> None:
    body = clean_body(raw, BASE)
    assert body.html == html
    assert clean_body(body.html, BASE).html == html
