"""The archive: extraction, normalisation, parsing and the SQLite record store (the system of record)."""
