"""Five-star standard, quarterly checks, ratings and the star history."""

from .checks import YEAR_QUARTER, Evidence, JobStatus, Problem, QuarterCheck, Score
from .exports import ExportJob
from .publication import Holiday, Interview, Objection, PublicNotice, SupportingDocument
from .ratings import Application, BranchRating, RatingReversal, StarHistory, YearRating
from .standard import Aspect, Indicator, Standard

__all__ = [
    "YEAR_QUARTER",
    "Application",
    "Aspect",
    "BranchRating",
    "Evidence",
    "ExportJob",
    "Holiday",
    "Indicator",
    "Interview",
    "JobStatus",
    "Objection",
    "Problem",
    "PublicNotice",
    "QuarterCheck",
    "RatingReversal",
    "Score",
    "Standard",
    "StarHistory",
    "SupportingDocument",
    "YearRating",
]
