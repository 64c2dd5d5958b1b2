// django-celery-beat's periodic-task form (admin): shows a crontab in words under the crontab select.
// The package writes this inline; templates/admin/djcelery/change_periodictask_form.html loads it
// from here instead, as the Content-Security-Policy requires.
(function () {
  "use strict";
  var $ = window.django && window.django.jQuery;
  var script = document.getElementById("periodic-task-overrides");
  var data = document.getElementById("readable-crontabs");
  if (!$ || !script || !data) return;
  var readable = JSON.parse(data.textContent);
  var help = script.getAttribute("data-crontab-help") || "";
  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    var words = readable[$("#id_crontab").val()];
    var box = $(".field-crontab .help").text(help);
    if (words) box.append(document.createElement("br"), document.createTextNode("Translation: " + words));
  });
})();
