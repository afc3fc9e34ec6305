"""Prompt-parse evaluation: a labelled prompt set and a field-level accuracy report for the offline planner."""
