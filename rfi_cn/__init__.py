"""rfi_cn: a Scrapy crawler for the Chinese edition of Radio France Internationale."""
