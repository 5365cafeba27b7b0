// Minimal progressive enhancement; every page works without it.
document.addEventListener("submit", function (e) {
  // a slow upload (a speech, a photo on a weak phone signal) should show it is running
  var button = e.target.querySelector("button[data-busy]");
  if (button) { button.disabled = true; button.textContent = button.dataset.busy; }
});
