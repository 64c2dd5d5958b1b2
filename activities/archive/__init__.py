"""Meeting records on paper: one record's print view and PDF, and the year archive (年度台账) of a branch.

records.py reads what a printed record shows (a fixed number of queries for any number of records);
document.py renders records to HTML and PDF through core.pdf; the year archive is built by a Celery
job (jobs.py asks, tasks.py runs, services.py builds) with its progress on an ArchiveJob.
"""
