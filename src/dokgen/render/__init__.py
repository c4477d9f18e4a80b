"""Renderers: context in, document bytes out. Each format lives in its own module."""
