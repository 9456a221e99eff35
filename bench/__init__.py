"""Benchmarks: run with `make bench` (python -m bench). Figures are ratios against a baseline timed in the same run."""
