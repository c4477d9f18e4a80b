"""dokgen: records to Word MoU drafts, PDF lab reports and press summaries.

The library works without the CLI: `dokgen.build.build(root)` builds a workspace and
raises `dokgen.errors.DokgenError` (with a location) for anything a user must fix.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
