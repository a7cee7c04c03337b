"""Cells for files that staff open in a spreadsheet (CSV, XLSX): text never runs as a formula."""
from __future__ import annotations

# OWASP "CSV injection": a cell starting with one of these is read as a formula by Excel,
# LibreOffice or Google Sheets (=HYPERLINK(...), =cmd|..., @SUM(...)); a leading line break
# hides one behind a blank first line, and the full-width ＝ ＋ － ＠ are read as their ASCII twins.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value):
    """The value to write in a cell: text that a spreadsheet would run gets a leading quote.

    Numbers (and None, booleans, dates) are returned unchanged, so "-3" typed as text is quoted
    but the integer -3 stays a number.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
