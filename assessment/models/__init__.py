"""Five-star standard, quarterly checks, ratings and the year-end export."""
