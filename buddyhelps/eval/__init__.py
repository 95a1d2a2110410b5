"""Evaluations that run without audio: `make eval` (conversations through the real planner and model)."""
