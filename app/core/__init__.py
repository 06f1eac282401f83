"""The pure core of crosscheck: claims, quantities and conflicts.

Nothing in this package imports FastAPI, SQLAlchemy or torch; it is plain Python over
strings and dates, tested with tables of real sentences.
"""
