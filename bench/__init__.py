"""The performance harness: `python -m bench` runs every measurement in one run.

Each figure is a ratio against a reference measured in the same run, or a distribution
(median, p99, max) over many samples, so that a noisy machine does not decide it. Benchmarks are
not tests: nothing here fails a build; `--quick` is a short smoke of the harness itself.
"""
