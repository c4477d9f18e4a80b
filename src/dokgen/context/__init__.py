"""Pure functions from validated records to the plain data a template sees.

Everything a document states is derived here once, so the Word draft, the PDF report and
the press text cannot disagree (ordinals, full names, the meterai of the era, counts).
Contexts hold only plain values; renderers add format-specific objects (images).
One module per document kind; `common` holds what they share.
"""
