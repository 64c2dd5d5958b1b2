"""Pledges (承诺践诺), democratic appraisal (民主评议党员) and study notes (学习心得)."""

__all__: list[str] = []
