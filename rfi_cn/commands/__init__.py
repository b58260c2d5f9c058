"""The project's Scrapy commands (``COMMANDS_MODULE``): Scrapy's own, made to behave like a crawl."""
