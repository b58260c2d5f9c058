"""HTML builders with the structure of rfi.fr/cn pages (see ../shared/rfi-site.md).

The text is ours. The markup mirrors the real templates: the article wrapper,
the dates block, the figure, the authors, the body with its interstitial ad and
self-promotion blocks, the share bar with the rfi.my short code, the tags, the
breadcrumb, the metas and the JSON-LD.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from urllib.parse import quote

SITE = "https://www.rfi.fr"


def site_path(path: str) -> str:
    """A percent-encoded path, as the real site writes its links."""
    return quote(path, safe="/?=&-")


@dataclass
class Article:
    """One fixture article; ``path`` is the decoded path (``/cn/中国/20251120-...``)."""

    path: str
    code: str | None
    title: str | None
    lead: str
    section: str
    kicker: str
    authors: list[str]
    tags: list[str]
    published: str  # ISO with offset, as in time/@datetime
    published_visible: str  # Paris local, as shown
    modified: str | None = None
    modified_visible: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    headings: dict[int, str] = field(default_factory=dict)  # heading before paragraph i
    nested_spans: int = 0
    word_count: int | None = None
    image: str | None = None
    caption: str | None = None
    credit: str | None = None
    padding_bytes: int = 0

    @property
    def url(self) -> str:
        return SITE + site_path(self.path)


def article_html(article: Article) -> str:
    """A full article page."""
    url = article.url
    tw_url = url.replace("/cn/", "/tw/", 1)
    title = article.title or ""
    dates = _date_span(article.published, article.published_visible, "发表时间")
    if article.modified and article.modified_visible:
        dates += _date_span(article.modified, article.modified_visible, "更新时间")
    head = [
        '<meta charset="UTF-8">',
        f"<title>{escape(title)} - RFI</title>",
        f'<link rel="canonical" href="{url}">',
        f'<link rel="alternate" hreflang="zh-Hant" href="{tw_url}">',
        f'<meta property="og:title" content="{escape(title)}">' if article.title else "",
        f'<meta property="og:description" content="{escape(article.lead)}">',
        f'<meta property="article:published_time" content="{article.published}">',
        f'<meta property="article:modified_time" content="{article.modified or article.published}">',
        f'<meta property="article:section" content="{escape(article.section)}">',
        *(f'<meta property="article:tag" content="{escape(tag)}">' for tag in article.tags),
        _jsonld(article),
        _padding(article.padding_bytes),
    ]
    body = f"""
<header class="o-header"><nav class="o-site-nav"><a class="a-nav-item" href="/cn/">首页</a></nav></header>
<main class="t-content">
<nav class="m-breadcrumb" role="navigation"><ol class="m-breadcrumb__list">
  <li class="m-breadcrumb__list__item"><a href="/cn/" class="m-breadcrumb__list__item__link a-svg a-svg--picto-home" aria-label="回到首页">回到首页</a></li>
  <li class="m-breadcrumb__list__item"><span class="m-breadcrumb__list__item__separator">/</span>
    <a href="{site_path("/cn/" + article.section + "/")}" class="m-breadcrumb__list__item__link">{escape(article.section)}
    </a></li>
</ol></nav>
<article class="t-content__article-wrapper" data-article-content>
  <div class="t-content__section a-tag"><span class="a-tag__wrapper">{escape(article.kicker)}
  </span></div>
  {f'<h1 class="t-content__title a-page-title">{escape(title)}</h1>' if article.title else ""}
  <p class="t-content__chapo">{escape(article.lead)}        </p>
  <div class="t-content__dates t-content__dates--reading-time"><p class="m-pub-dates">{dates}</p>
    <div class="a-reading-time">3 分钟</div></div>
  {_figure(article)}
  <div class="t-content__authors"><div class="m-authors">{_authors(article.authors)}</div></div>
  <div class="t-content__body u-clearfix">
    <div class="m-interstitial"><div class="m-interstitial__ad"><span class="m-block-ad__label__text">广告</span></div>
      <button data-readmore-unlocker class="m-interstitial__unlock-btn"><span>继续浏览后续</span></button></div>
    {_body(article)}
    <div class="o-self-promo o-self-promo--nl" data-selfpromo-newsletter><p class="o-self-promo__text"><strong>电邮新闻</strong>订阅我们的新闻信</p>
      <a href="https://emailing.rfi.fr/cn/subscribe" class="o-self-promo__link">订阅</a></div>
    <div class="o-self-promo o-self-promo--app" data-selfpromo-app><p class="o-self-promo__text">下载应用程序</p></div>
  </div>
  {_share_bar(article)}
</article>
{_tags(article.tags)}
</main>"""
    return _document("\n".join(part for part in head if part), body)


def listing_html(
    section: str | None,
    article_paths: list[str],
    pagination: list[tuple[str, str]] | None = None,
    navigation: list[tuple[str, str]] | None = None,
    news_feed: list[str] | None = None,
    extra_links: list[str] | None = None,
) -> str:
    """A front or section page: navigation, article cards, rolling news, pagination."""
    nav = "".join(
        f'<li class="m-nav-list__list__item"><a class="a-nav-item" href="{href}">{escape(label)}</a></li>'
        for href, label in navigation or []
    )
    cards = "".join(_card(path) for path in article_paths)
    feed = "".join(
        f'<div class="m-item-news-feed"><div class="news__metadata"><time datetime="2025-11-20T09:30:00+01:00">09:30</time>'
        f'<div class="news__metadata__source">法新社</div></div><div class="news__content__title">'
        f'<a href="{site_path(path)}"><h2 aria-level="3">快讯</h2></a></div></div>'
        for path in news_feed or []
    )
    pages = "".join(
        f'<a class="m-pagination__item" href="{href}">{escape(label)}</a>' for href, label in pagination or []
    )
    extra = "".join(f'<a href="{href}">链接</a>' for href in extra_links or [])
    body = f"""
<header class="o-header"><nav class="o-site-nav"><ul class="m-nav-list__list">{nav}</ul></nav></header>
<main class="t-content t-content__list-content">
  <h1>{escape(section or "首页")}</h1>
  <div class="o-layout-list">{cards}</div>
  <aside class="o-aside-content o-aside-content--news-feed">{feed}</aside>
  {f'<div class="m-pagination-wrapper"><nav class="m-pagination">{pages}</nav></div>' if pages else ""}
  <footer>{extra}</footer>
</main>"""
    return _document('<meta charset="UTF-8"><title>RFI 中文</title>', body)


def _document(head: str, body: str) -> str:
    return f'<!DOCTYPE html>\n<html lang="zh-Hans">\n<head>\n{head}\n</head>\n<body>{body}\n</body>\n</html>\n'


def _date_span(iso: str, visible: str, label: str) -> str:
    return (
        f'<span class="m-pub-dates__date">\n    {label}： <time datetime="{iso}" pubdate="pubdate">{visible}</time>\n'
        "</span>"
    )


def _figure(article: Article) -> str:
    if not article.image:
        return ""
    spans = "".join(f"<span>{escape(text)}</span>" for text in (article.caption, article.credit) if text)
    return (
        '<div class="t-content__main-media"><figure class="m-item-image">'
        f'<picture class="a-picture"><source type="image/webp" srcset="{article.image}.webp 720w">'
        f'<img src="{article.image}" alt="{escape(article.caption or "")}" class="a-img"></picture>'
        f'<figcaption class="a-figcaption">{spans}</figcaption></figure></div>'
    )


def _authors(names: list[str]) -> str:
    return "".join(
        '<div class="m-from-author"><span class="m-from-author__by-label">作者：</span>'
        f'<a href="{site_path("/cn/作者/" + name + "/")}" title="{escape(name)}" class="m-from-author__name">{escape(name)}\n  </a></div>'
        for name in names
    )


def _body(article: Article) -> str:
    parts = []
    for index, paragraph in enumerate(article.paragraphs):
        if index in article.headings:
            parts.append(f"<h2>\n  <strong>{escape(article.headings[index])}</strong>\n</h2>")
        inner = escape(paragraph)
        for _ in range(article.nested_spans):
            inner = f"<span>{inner}</span>"
        parts.append(f"<p>{inner}</p>")
    return "\n    ".join(parts)


def _share_bar(article: Article) -> str:
    if not article.code:
        return '<div class="t-content__shares"><ul class="m-share-bar"></ul></div>'
    code = article.code
    return (
        '<div class="t-content__shares"><div class="a-share-bar-label">分享 :</div><ul class="m-share-bar">'
        f'<li class="m-share-bar__item"><a href="https://www.facebook.com/dialog/share?href=https%3A%2F%2Frfi.my%2F{code}.F" class="a-picto-social"><span></span></a></li>'
        f'<li class="m-share-bar__item"><a href="whatsapp://send?text=x%20-%20https%3A%2F%2Frfi.my%2F{code}.W"><span></span></a></li>'
        f'<li class="m-share-bar__item"><a href="https://x.com/intent/tweet?url=https%3A%2F%2Frfi.my%2F{code}.X"><span></span></a></li>'
        "</ul></div>"
    )


def _tags(tags: list[str]) -> str:
    items = "".join(
        f'<li class="m-tags-list__tag"><a href="{site_path("/cn/关键词/" + tag + "/")}" class="a-hot-tag" title="{escape(tag)}">{escape(tag)}</a></li>'
        for tag in tags
    )
    return f'<div class="t-content__tags"><div class="t-content__tags__title">相关主题:</div><ul class="m-tags-list">{items}</ul></div>'


def _jsonld(article: Article) -> str:
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "url": article.url,
        "headline": article.title,
        "datePublished": article.published,
        "dateModified": article.modified or article.published,
        "articleSection": article.section,
        "author": [{"@type": "Person", "name": name} for name in article.authors],
    }
    if article.word_count is not None:
        data["wordCount"] = article.word_count
    breadcrumb = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": []}
    return f'<script type="application/ld+json">{json.dumps([data, breadcrumb], ensure_ascii=False)}</script>'


def _padding(size: int) -> str:
    """Inline CSS of ``size`` bytes: real pages are ~540 KB, mostly inline assets."""
    if size <= 0:
        return ""
    rule = ".o-pad{margin:0 auto;padding:4px 8px;color:#222}\n"
    return f"<style>{rule * (size // len(rule) + 1)}</style>"


def _card(path: str) -> str:
    href = site_path(path)
    return (
        '<div class="m-item-list-article" data-article-list>'
        f'<a class="m-item-image" href="{href}" data-article-item-link aria-hidden="true"></a>'
        f'<div class="article__infos"><div class="article__title"><a href="{href}" data-article-item-link><h2>标题</h2></a></div>'
        '<div class="a-tag"><span class="a-tag__wrapper">标签</span></div></div></div>'
    )
