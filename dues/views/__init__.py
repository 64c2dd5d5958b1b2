"""Pages of the dues ledger, a module a family of pages. Every object is fetched through the user's
dues scope (dues.access): anything outside it is a 404. Views check the form, call one service and
redirect. What dues/urls.py and the home page (config.views) use is named here."""

from .deletes import base_delete, exemption_delete, payment_delete, remittance_delete
from .files import export, import_page, job, job_download, job_progress, template_download
from .home import home_panel
from .ledger import bases, collect, ledger, remittances
from .member import member
from .overview import attention, index, overview
from .years import years

__all__ = [
    "attention",
    "base_delete",
    "bases",
    "collect",
    "exemption_delete",
    "export",
    "home_panel",
    "import_page",
    "index",
    "job",
    "job_download",
    "job_progress",
    "ledger",
    "member",
    "overview",
    "payment_delete",
    "remittance_delete",
    "remittances",
    "template_download",
    "years",
]
