"""The search index: the jieba analysis, the query model, the one search API, and the engines behind the seam.

indexer/backend.py is the seam (the SearchBackend protocol); indexer/backends/ holds the engines (whoosh/, the
embedded default; the only package that imports whoosh, which is unmaintained: keeping it behind one seam keeps it
replaceable).
"""
