"""Saling Sapa: reporting, case management and collaboration for women's and children's protection."""

__version__ = "0.1.0"
