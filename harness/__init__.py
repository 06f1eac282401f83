"""Development tools outside the service: the benchmark and the evaluation on labelled pairs.

Nothing under ``app`` imports this package (an import-linter contract checks it); the
``crosscheck bench`` and ``crosscheck eval`` commands reach it through an entry point.
"""
