"""Throughput benchmarks, run by `python -m tests.benchmarks` (`make bench`); never collected by pytest."""
