"""filing-archive: a static-site generator for SEC EDGAR filings.

Pipeline (one module each): discover -> parse -> assemble (site) -> render -> index -> write,
run by :func:`generator.build.build`.
"""

__version__ = "0.1.0"
