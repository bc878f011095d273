"""The browser side of ``filing-archive serve --watch``: livereload.js, served by generator/serve.py
at ``/__filing_archive/livereload.js`` (package data, never copied into the site)."""
