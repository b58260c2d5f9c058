"""The project's Scrapy commands (``COMMANDS_MODULE``): ``crawl`` gives the run's health as its exit
status; ``check``, ``parse`` and ``shell`` fetch through the mirror and never write the lake or the state."""
