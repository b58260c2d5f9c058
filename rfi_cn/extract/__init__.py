"""Pure extraction from parsed pages: an article's fields, a listing's links."""

from rfi_cn.extract.article import extract_article
from rfi_cn.extract.links import article_links, next_page_link, pagination_links, section_links

__all__ = ["article_links", "extract_article", "next_page_link", "pagination_links", "section_links"]
