"""Optimizers: pure NumPy update rules behind one small interface (see base.py); the catalogue is in catalogue.py."""
