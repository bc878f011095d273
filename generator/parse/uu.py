"""Parse stage, uuencode: a document body with a ``begin`` line -> (file name, bytes).

Uses ``binascii.a2b_uu`` line by line (the ``uu`` module is gone in Python 3.13).
"""
