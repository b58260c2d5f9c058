"""Project commands (``COMMANDS_MODULE``): ``crawl`` replaces Scrapy's to give the run's health as its exit status."""
