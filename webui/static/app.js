// The search form works without this: it only re-runs a search when the grain or the sort changes.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (!el.matches || !el.matches("[data-autosubmit]") || !el.form) return;
  var q = el.form.querySelector("input[name=q]");
  if (q && q.value.trim()) el.form.submit();
});
