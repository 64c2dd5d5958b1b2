"""Pages of pledges, democratic appraisal, study notes and the member's record."""
