"""Publishing the year's rating (公示) and what stands behind it: objections (异议), the reasons shown
with every level, interviews (约谈), the hand-scored indicators' supporting documents (佐证材料) and
the audit history of the numbers. Its rules are in rules.py; docs/domain-publication.md states them."""
