// narrascope ingest page: a chosen file is uploaded to /api/ingest/jobs and ingested in the
// background; this polls the job, shows a progress bar and the counts, then lists the stored
// articles with links. Pasted text (and any browser without script) posts the form as before.
// Served from /static (the Content-Security-Policy allows no inline script); builds every
// element with textContent, never HTML from data.
"use strict";

(function () {
  var POLL_MS = 300;
  var TITLES = 50; // stored articles listed with their titles (the rest by id)

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function plural(n, word) { return n + " " + word; }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("ingest-form");
    var panel = document.getElementById("ingest-progress");
    if (!form || !panel || !window.fetch || !window.FormData) return;
    var fileInput = form.querySelector("input[name=file]");
    var bar = document.getElementById("ingest-bar");
    var state = document.getElementById("ingest-state");
    var counts = document.getElementById("ingest-counts");
    var error = document.getElementById("ingest-error");
    var button = form.querySelector("button[type=submit]");

    function fail(message) {
      state.textContent = "Failed";
      error.textContent = message;
      error.hidden = false;
      button.disabled = false;
    }

    function showCounts(job) {
      var parts = [plural(job.done, "of " + (job.total === null ? "?" : job.total) + " items"),
                   job.stored + " stored", job.unchanged + " already stored", job.skipped + " skipped",
                   job.rejected + " rejected"];
      counts.textContent = parts.join(", ");
      if (job.total !== null) {
        bar.max = Math.max(job.total, 1);
        bar.value = job.total === 0 ? 1 : job.done;
      }
    }

    function errorOf(response) {
      return response.json().then(function (body) { return body.error || ("HTTP " + response.status); },
                                  function () { return "HTTP " + response.status; });
    }

    function showReport(report, headers) {
      var old = document.getElementById("ingest-report");
      if (old) old.remove();
      var section = el("section", "report");
      section.id = "ingest-report";
      section.appendChild(el("p", null, report.name + ": " + report.stored.length + " stored, " + report.unchanged +
        " already stored, " + report.skipped.length + " skipped, " + report.rejected.length + " rejected."));
      var list = el("ul", "stored");
      report.stored.forEach(function (id, index) {
        var item = el("li");
        var link = el("a", null, id);
        link.href = "/articles/" + encodeURIComponent(id);
        item.appendChild(link);
        list.appendChild(item);
        if (index < TITLES) {
          fetch("/api/articles/" + encodeURIComponent(id), { headers: headers }).then(function (r) {
            return r.ok ? r.json() : null;
          }).then(function (record) {
            if (record && record.title) {
              link.textContent = record.title;
              item.appendChild(el("span", "note", " " + id));
            }
          }, function () { /* the id stays as the link text */ });
        }
      });
      report.rejected.forEach(function (r) {
        var item = el("li", "error");
        item.appendChild(el("code", null, r.code));
        item.appendChild(document.createTextNode(" " + r.location + ": " + r.reason));
        list.appendChild(item);
      });
      report.skipped.forEach(function (r) {
        var item = el("li");
        item.appendChild(el("code", null, r.code));
        item.appendChild(document.createTextNode(" " + r.location + ": " + r.reason));
        list.appendChild(item);
      });
      section.appendChild(list);
      panel.after(section);
    }

    function poll(url, headers) {
      fetch(url, { headers: headers, cache: "no-store" }).then(function (response) {
        if (!response.ok) return errorOf(response).then(function (message) { fail(message); });
        return response.json().then(function (job) {
          showCounts(job);
          if (job.state === "done") {
            state.textContent = "Done";
            panel.classList.add("done");
            button.disabled = false;
            showReport(job.report, {});
          } else if (job.state === "failed") {
            fail((job.error && job.error.error) || "The ingest failed.");
          } else {
            state.textContent = job.state === "counting" ? "Reading " + job.name + "…" : "Ingesting " + job.name + "…";
            window.setTimeout(function () { poll(url, headers); }, POLL_MS);
          }
        });
      }, function () { fail("The server cannot be reached."); });
    }

    form.addEventListener("submit", function (event) {
      if (!fileInput || !fileInput.files || fileInput.files.length === 0) return; // pasted text: a plain post
      event.preventDefault();
      var token = form.querySelector("input[name=token]").value;
      var data = new FormData(form);
      data.delete("token");
      data.delete("text");
      var headers = { "Authorization": "Bearer " + token };
      panel.hidden = false;
      panel.classList.remove("done");
      error.hidden = true;
      state.textContent = "Uploading…";
      counts.textContent = "";
      bar.removeAttribute("value");
      button.disabled = true;
      fetch(form.dataset.jobs, { method: "POST", body: data, headers: headers }).then(function (response) {
        if (response.status !== 202) return errorOf(response).then(function (message) { fail(message); });
        return response.json().then(function (job) {
          showCounts(job);
          poll(job.status_url, headers);
        });
      }, function () { fail("The server cannot be reached."); });
    });
  });
})();
