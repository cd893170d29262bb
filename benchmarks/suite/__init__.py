"""The benchmarks `run.py` runs, one module each; `harness` holds what they share."""
