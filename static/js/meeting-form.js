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
  // The file inputs are hidden behind their buttons: say what is chosen.
  function chosen() {
    var out = document.getElementById("files-chosen");
    if (!out) return;
    var names = [];
    document.querySelectorAll("#evidence input[type=file]").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (f) { names.push(f.name); });
    });
    out.textContent = names.length ? (out.dataset.label || "") + names.join("、") : "";
  }
  document.addEventListener("change", function () { sync(document); chosen(); });
  document.body.addEventListener("htmx:afterSwap", function () { sync(document); });
  sync(document);
})();
