// Minimal progressive enhancement; every page works without it.
document.addEventListener("submit", function (e) {
  // a slow upload (a speech, a photo on a weak phone signal) should show it is running
  var button = e.target.querySelector("button[data-busy]");
  if (button) { setTimeout(function () { button.disabled = true; button.textContent = button.dataset.busy; }, 0); }
});
document.addEventListener("click", function (e) {
  // progress quick buttons set the range: one tap for the percent
  var quick = e.target.closest("button[data-percent]");
  if (!quick) return;
  var range = document.getElementById(quick.getAttribute("aria-controls"));
  range.value = quick.dataset.percent;
  range.dispatchEvent(new Event("input", {bubbles: true}));
  quick.parentNode.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", b === quick); });
});
document.addEventListener("input", function (e) {
  if (e.target.type === "range" && e.target.nextElementSibling && e.target.nextElementSibling.tagName === "OUTPUT") {
    e.target.nextElementSibling.textContent = e.target.value + "%";
  }
});
// a background job's card or row (luoshi/jobs) asks for its state every second and swaps in the fresh HTML,
// until the job has finished
document.querySelectorAll("[data-job]").forEach(function watch(box) {
  if (box.dataset.finished === "true") return;
  setTimeout(function () {
    fetch(box.dataset.job, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) throw r; return r.json(); })
      .then(function (job) { box.innerHTML = job[box.dataset.part]; box.dataset.finished = job.finished; })
      .catch(function () {})  // the server restarting: ask again
      .then(function () { watch(box); });
  }, 1000);
});
