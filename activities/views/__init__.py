"""Pages of 三会一课: meeting records and their attachments, the ledger, compliance, imports and talks."""

# Rows per page of the lists (units, a ledger, talks).
PAGE_SIZE = 50
