import re

import lxml.html
import pytest

from rfi_cn.normalise.cleaning import MAX_DEPTH, TooDeepError, body_text, clean_body_html
from tests.conftest import shared_file

BASE = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20250101-x"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<p><span><span><font>深层</font></span></span>嵌套</p>", "<p>深层嵌套</p>"),
        ('<div class="m-interstitial"><p>广告</p></div><p>正文</p>', "<p>正文</p>"),
        ('<div><div><div class="x m-interstitial y"><p>广告</p></div></div></div><p>正文</p>', "<p>正文</p>"),
        ('<div class="o-self-promo o-self-promo--nl"><p>订阅</p></div><p>正文</p>', "<p>正文</p>"),
        ("<p>正文</p><script>alert(1)</script><style>p{}</style><iframe src=x></iframe>", "<p>正文</p>"),
        ('<p class="a" style="b" onclick="c()">正文</p>', "<p>正文</p>"),
        (
            '<p><a href="/cn/x/" target="_blank" class="l">链接</a></p>',
            '<p><a href="https://www.rfi.fr/cn/x/">链接</a></p>',
        ),
        ('<p><a href="javascript:alert(1)">链接</a>文字</p>', "<p>链接文字</p>"),
        ('<p><a href=" JavaScript:alert(1)">链接</a></p>', "<p>链接</p>"),
        ('<p><a href="data:text/html,x">链接</a></p>', "<p>链接</p>"),
        ("<p>一&nbsp;&nbsp;二   三</p>", "<p>一 二 三</p>"),
        ("<p>中文\n  断行</p>", "<p>中文断行</p>"),
        ("<p>English\n words</p>", "<p>English words</p>"),
        ("<p>  </p><p><span> </span></p><h2></h2><p>正文</p>", "<p>正文</p>"),
        ("<h2>\n  <strong>标题</strong>\n</h2>", "<h2><strong>标题</strong></h2>"),
        ("<p>第一行<br>第二行</p>", "<p>第一行<br>第二行</p>"),
        ("<p>正文<!-- comment --></p>", "<p>正文</p>"),
        (
            "<p><strong>粗<span><strong>更粗</strong></span></strong><em><em>斜</em></em></p>",
            "<p><strong>粗更粗</strong><em>斜</em></p>",
        ),
        ("<ul><li> 一 </li><li>二</li></ul>", "<ul><li>一</li><li>二</li></ul>"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_clean_body_html(raw: str, clean: str) -> None:
    assert clean_body_html(raw, BASE) == clean


def test_clean_is_idempotent_on_mixed_markup() -> None:
    raw = "<div><p><span>一 <em>二</em>\n三</span></p><blockquote><p>引 用</p></blockquote></div>"
    once = clean_body_html(raw, BASE)
    assert clean_body_html(once, BASE) == once


def test_body_text_joins_blocks_with_a_blank_line() -> None:
    html = "<h2><strong>小标题</strong></h2><p>第一段，<a href='https://x/'>链接</a>。</p><blockquote><p>引语</p></blockquote><ul><li>甲</li><li>乙</li></ul>"
    assert body_text(html) == "小标题\n\n第一段，链接。\n\n引语\n\n甲\n\n乙"


def test_body_text_keeps_loose_text_and_line_breaks() -> None:
    assert body_text("开头<p>段落<br>下一行</p>结尾") == "开头\n\n段落\n下一行\n\n结尾"


def test_the_seed_body_comes_out_as_its_three_paragraphs() -> None:
    seed = shared_file("seed/000_fe7ddcecb5353af4.txt").read_text(encoding="utf-8")
    body = re.search(r"<div><p><span>.*?</div>", seed, re.S)
    assert body is not None and body.group(0).count("<span>") == 18  # six levels, three paragraphs
    expected = [p.text_content().strip() for p in lxml.html.fragment_fromstring(body.group(0)).iter("p")]
    clean = clean_body_html(body.group(0), BASE)
    assert clean == "".join(f"<p>{text}</p>" for text in expected)
    assert len(expected) == 3 and all(expected)
    assert body_text(clean) == "\n\n".join(expected)


# --- deep nesting: the whole text, or TooDeepError; never a shortened body -------------

AFTER = "<p>后文一</p><p>后文二</p>"


def deep(opening: str, closing: str, times: int) -> str:
    """A paragraph nested ``times`` deep between two plain ones."""
    return f"<p>前文</p><p>{opening * times}深处{closing * times}</p>{AFTER}"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (deep("<span>", "</span>", 260), f"<p>前文</p><p>深处</p>{AFTER}"),
        (deep("<span>", "</span>", MAX_DEPTH - 2), f"<p>前文</p><p>深处</p>{AFTER}"),  # the deepest kept
        (deep("<strong>", "</strong>", 1000), f"<p>前文</p><p><strong>深处</strong></p>{AFTER}"),  # collapsed
        (deep("<em><span>", "</span></em>", 500), f"<p>前文</p><p><em>深处</em></p>{AFTER}"),
        (
            deep("<strong><em>", "</em></strong>", 500),
            f"<p>前文</p><p>{'<strong><em>' * 500}深处{'</em></strong>' * 500}</p>{AFTER}",
        ),
        (
            f"<p>前文</p>{'<blockquote>' * 1000}<p>深处</p>{'</blockquote>' * 1000}{AFTER}",
            f"<p>前文</p>{'<blockquote>' * 1000}<p>深处</p>{'</blockquote>' * 1000}{AFTER}",
        ),
    ],
)
def test_deep_nesting_keeps_the_whole_text(raw: str, clean: str) -> None:
    assert clean_body_html(raw, BASE) == clean
    assert clean_body_html(clean, BASE) == clean
    assert body_text(clean) == "前文\n\n深处\n\n后文一\n\n后文二"


@pytest.mark.parametrize(
    "raw",
    [
        deep("<span>", "</span>", MAX_DEPTH - 1),  # p + 1023 spans: MAX_DEPTH levels under the body
        deep("<strong>", "</strong>", 5000),  # past libxml2's own limit (2,048): it would drop the end
        deep("<span>", "</span>", 300_000),
        "<div>" * 3000 + "<p>深处</p>",  # unclosed
    ],
)
def test_a_body_nested_deeper_than_the_limit_is_refused(raw: str) -> None:
    with pytest.raises(TooDeepError, match=f"body nested deeper than {MAX_DEPTH} elements"):
        clean_body_html(raw, BASE)
