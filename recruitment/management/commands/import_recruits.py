from imports.commands import ImportCommand
from recruitment.recruit_io import recruit_import


class Command(ImportCommand):
    help = "从.xlsx工作簿（“发展党员”表）导入发展党员记录；有任何错误则不写入。按身份证号可重复导入"

    def import_file(self, handle, *, check_only, **options):
        return recruit_import(file=handle, check_only=check_only)
