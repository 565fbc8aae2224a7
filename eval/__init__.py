"""Evaluation: datasets, metrics as plain functions, and runners that print measured figures."""
