// Filters of the problem table: show the rows whose severity and one of whose domains are ticked.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) {
    return;
  }
  function ticked(name) {
    var values = {};
    form.querySelectorAll("input[name=" + name + "]").forEach(function (box) {
      values[box.value] = box.checked;
    });
    return values;
  }
  function apply() {
    var severities = ticked("severity");
    var domains = ticked("domain");
    var rows = document.querySelectorAll("tr.problem");
    var shown = 0;
    rows.forEach(function (row) {
      var inDomains = JSON.parse(row.getAttribute("data-domains"));
      var visible = severities[row.getAttribute("data-severity")] !== false &&
        inDomains.some(function (domain) { return domains[domain] !== false; });
      row.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    document.getElementById("shown").textContent = shown + " of " + rows.length + " problems shown";
  }
  form.addEventListener("change", apply);
  apply();
}());
