"""Spreadsheets in and out: units and ideas of a lab, and parties, from and to Excel.

reading (python-calamine, CSV) -> checking (the record model, problems at cells) ->
importing (yamlsave, under the workspace lock) / writing and exporting (openpyxl).
"""

from __future__ import annotations

from .layout import SPECS, CellLocation

__all__ = ["SPECS", "CellLocation"]
