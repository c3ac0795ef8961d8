"""Benchmarks and data generators (never run by the test suite)."""
