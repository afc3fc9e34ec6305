"""Segue: prompt → spec → tools → candidates → sequence → narration → response."""
