"""Segue's eval harness: suites of prompts with assertions, playlist metrics, side-by-side reports, benchmarks."""
