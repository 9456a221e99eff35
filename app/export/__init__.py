"""Runs and races as files: CSV for spreadsheets, JSON to re-import, one HTML page that replays offline.

Pure code: it takes finished runs (configs and frames) and yields bytes; the web layer
(``app/api/export.py``) decides what to run and how to send it.
"""
