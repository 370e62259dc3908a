"""The search index: a jieba analyzer, the Whoosh schema, build/re-index, and the one search API.

Only this package imports whoosh (it is unmaintained; keeping it behind one seam keeps it replaceable).
"""
