"""Helpers behind `core.data`: 2D toy generators (`toy`) and IDX files + downloads (`idx`).

Pages and tests should go through `core.data.load(...)`; these modules are split out only to keep
`core/data.py` short enough to read top to bottom.
"""
