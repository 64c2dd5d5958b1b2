from django import forms
from django.utils.translation import gettext_lazy as _

FORMATS = [("print", _("打印名单（网页，可打印）")), ("xlsx", _("下载表格（Excel）"))]


class CreateAccountsForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("党组织"), queryset=None, empty_label=None)
    format = forms.ChoiceField(
        label=_("初始密码的交付方式"), choices=FORMATS, initial="print", widget=forms.RadioSelect
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{'　' * max(0, u.depth - 1)}{u.name}（{u.code}）"
