"""Renderers: each turns a `Result` into one format. None of them looks at a model."""
