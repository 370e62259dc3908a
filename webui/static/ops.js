// Upload: say what will be sent (and refuse sizes above the limits before sending); drag and drop.
// Job page: poll /api/jobs/<id> and redraw the progress until the job has finished.
(function () {
  "use strict";
  var LABELS = {};

  function mb(n) { return n < 1048576 ? (n / 1024).toFixed(1) + " KB" : (n / 1048576).toFixed(1) + " MB"; }

  var form = document.getElementById("upload-form");
  if (form) {
    var maxFile = +form.dataset.maxFile, maxTotal = +form.dataset.maxTotal;
    var summary = document.getElementById("upload-summary");
    var inputs = form.querySelectorAll("input[type=file]");
    var check = function () {
      var n = 0, total = 0, big = [];
      inputs.forEach(function (input) {
        Array.prototype.forEach.call(input.files, function (f) {
          n += 1; total += f.size;
          if (f.size > maxFile) big.push(f.name);
        });
      });
      summary.classList.remove("error");
      if (big.length) {
        summary.textContent = "以下文件超过单个文件上限 " + mb(maxFile) + "，将不会收录：" + big.join("、");
        summary.classList.add("error");
      } else if (total > maxTotal) {
        summary.textContent = "合计 " + mb(total) + "，超过一次上传的上限 " + mb(maxTotal) + "，请分批上传。";
        summary.classList.add("error");
      } else {
        summary.textContent = n ? "已选择 " + n + " 个文件，共 " + mb(total) : "";
      }
      return total <= maxTotal;
    };
    inputs.forEach(function (input) { input.addEventListener("change", check); });
    form.addEventListener("submit", function (event) { if (!check()) event.preventDefault(); });
    var zone = document.getElementById("drop-zone");
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) { inputs[0].files = e.dataTransfer.files; check(); }
    });
  }

  var job = document.getElementById("job");
  if (!job) return;
  var url = job.dataset.url;
  function cell(text, cls) {
    var td = document.createElement("td");
    if (cls) td.className = cls;
    if (text instanceof Node) td.appendChild(text); else td.textContent = text;
    return td;
  }
  function draw(data) {
    var state = document.getElementById("job-state");
    state.textContent = data.state_label;
    state.className = "state state-" + data.state;
    document.getElementById("job-ahead").textContent = data.ahead ? "（前面还有 " + data.ahead + " 个任务）" : "";
    var bar = document.getElementById("job-progress");
    bar.max = data.total || 1; bar.value = data.done;
    document.getElementById("job-count").textContent = data.progress_label;
    document.getElementById("job-message").textContent = data.message || "";
    var body = document.getElementById("job-files");
    if (body) {
      body.textContent = "";
      data.files.forEach(function (f) {
        var tr = document.createElement("tr");
        tr.dataset.outcome = f.outcome;
        var name;
        if (f.doc_url) { name = document.createElement("a"); name.href = f.doc_url; name.textContent = f.name; }
        else name = document.createTextNode(f.name);
        var badge = document.createElement("span");
        badge.className = "outcome outcome-" + f.outcome; badge.textContent = f.label;
        LABELS[f.outcome] = f.label;
        tr.append(cell(name), cell(f.size_label, "num"), cell(badge), cell(f.reason || ""));
        body.appendChild(tr);
      });
      var sum = document.getElementById("job-summary");
      sum.textContent = "";
      Object.keys(data.counts).forEach(function (k) {
        if (!data.counts[k]) return;
        var s = document.createElement("span");
        s.className = "outcome outcome-" + k; s.textContent = (LABELS[k] || k) + " " + data.counts[k];
        sum.appendChild(s);
      });
    }
    if (data.finished) {
      var cancel = document.getElementById("cancel-form");
      if (cancel) cancel.remove();
      job.dataset.finished = "1";
    }
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) { draw(data); if (!data.finished) setTimeout(poll, 800); })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
