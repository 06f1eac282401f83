"""The benchmark harness behind ``crosscheck bench`` (not a test: it measures, it does not judge).

See ``app.bench.harness`` for what it measures and docs/performance.md for the figures.
"""

from app.bench.harness import BenchConfig, run_bench

__all__ = ["BenchConfig", "run_bench"]
