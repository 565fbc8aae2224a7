"""Benchmarks: each prints a table of measured figures; tests never assert on time."""
