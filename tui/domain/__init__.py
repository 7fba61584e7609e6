"""The domain: instrument model, codes, store, analysis and PDF. Never imports Textual.

tests/domain/test_import_hygiene.py imports every module here in a fresh interpreter and checks
that neither textual nor any tui screen module was loaded.
"""
