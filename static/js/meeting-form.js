// The meeting form: reason boxes show only for those on leave or absent; the lecturer only for a
// party lesson. Runs again when htmx reloads the attendance table.
(function () {
  "use strict";
  function sync(root) {
    root.querySelectorAll("tr[data-member]").forEach(function (tr) {
      var checked = tr.querySelector("input[type=radio]:checked");
      var reason = tr.querySelector("input[type=text]");
      if (reason) reason.classList.toggle("d-none", !checked || checked.value === "present");
    });
    var kind = document.getElementById("id_kind");
    var lecturer = document.getElementById("lecturer-field");
    if (kind && lecturer) lecturer.classList.toggle("d-none", kind.value !== "party_lesson");
  }
  document.addEventListener("change", function () { sync(document); });
  document.body.addEventListener("htmx:afterSwap", function () { sync(document); });
  sync(document);
})();
