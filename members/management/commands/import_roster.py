from imports.commands import ImportCommand
from members.roster_import import roster_import


class Command(ImportCommand):
    help = "从.xlsx工作簿（“组织”“党员”两张表）导入组织和党员名册；有任何错误则不写入"

    def import_file(self, handle, *, check_only, **options):
        return roster_import(file=handle, check_only=check_only)
