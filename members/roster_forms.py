from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import import_upload_validator


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("名册文件"),
        help_text=_("Excel工作簿（.xlsx），包含“组织”和“党员”两张工作表"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        validators=[import_upload_validator],
    )
    check_only = forms.BooleanField(label=_("只检查，不导入"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传.xlsx格式的Excel工作簿（旧版.xls请先另存为.xlsx）"))
        return upload
