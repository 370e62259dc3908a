// The search form works without this: it only re-runs a search when the grain or the sort changes.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (!el.matches || !el.matches("[data-autosubmit]") || !el.form) return;
  var q = el.form.querySelector("input[name=q]");
  if (q && q.value.trim()) el.form.submit();
});

// The check page: search-as-you-type over articles (GET /api/articles?q=) inside each "添加适用条文" form;
// every match becomes a submit button carrying its article_id, so choosing one posts the verdict.
(function () {
  var timers = new WeakMap();
  function render(box, items) {
    box.textContent = "";
    items.forEach(function (a) {
      var b = document.createElement("button");
      b.type = "submit";
      b.name = "article_id";
      b.value = a.article_id;
      b.className = "article-choice";
      b.setAttribute("role", "option");
      b.textContent = a.doc_title + " " + (a.article || "") + (a.version ? "（" + a.version + "）" : "");
      box.appendChild(b);
    });
    if (!items.length) {
      var p = document.createElement("span");
      p.className = "muted small";
      p.textContent = "没有匹配的条文";
      box.appendChild(p);
    }
  }
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!el.matches || !el.matches("input.article-search")) return;
    var box = el.form && el.form.querySelector(".article-choices");
    if (!box) return;
    clearTimeout(timers.get(el));
    timers.set(el, setTimeout(function () {
      var q = el.value.trim();
      if (!q) { box.textContent = ""; return; }
      fetch(el.dataset.endpoint + "?q=" + encodeURIComponent(q), {headers: {Accept: "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {articles: []}; })
        .then(function (data) { if (el.value.trim() === q) render(box, data.articles || []); })
        .catch(function () { box.textContent = ""; });
    }, 200));
  });
  document.addEventListener("keydown", function (event) {
    // Enter in the search box must not submit the form without a chosen article
    if (event.key === "Enter" && event.target.matches && event.target.matches("input.article-search")) {
      event.preventDefault();
    }
  });
})();
