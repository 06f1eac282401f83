"""The benchmark harness behind ``crosscheck bench`` (not a test: it measures, it does not judge).

See ``harness.bench.run`` for what it measures and docs/performance.md for the figures.
"""

from harness.bench.run import BenchConfig, run_bench

__all__ = ["BenchConfig", "run_bench"]
