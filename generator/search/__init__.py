"""Search: one analysis (analysis.py) feeding a static browser index (index.py, client/) and a
whoosh index for the command line (store.py, query.py). docs/search.md describes the design."""
