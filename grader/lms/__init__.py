"""Autograder hooks for learning-management systems (Gradescope, PrairieLearn)."""
