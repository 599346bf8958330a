// Small behaviours the pages need, kept out of the HTML so the CSP can forbid inline script.
document.addEventListener("click", function (event) {
  // Buttons that change something irreversible ask first.
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

document.addEventListener("keydown", function (event) {
  // "/" jumps to the global search box, as in many web apps.
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
  if (event.key === "/" && !typing) {
    const box = document.getElementById("global-search");
    if (box) {
      event.preventDefault();
      box.focus();
    }
  }
});

// The live search suggestions close on Escape, on a click elsewhere, and when the box is emptied.
function closeSuggestions() {
  const panel = document.getElementById("search-suggestions");
  if (panel) {
    panel.innerHTML = "";
  }
}
document.addEventListener("keydown", function (event) {
  if (event.key === "Escape") {
    closeSuggestions();
  }
});
document.addEventListener("click", function (event) {
  if (!event.target.closest("form.search")) {
    closeSuggestions();
  }
});
document.addEventListener("htmx:beforeSwap", function (event) {
  const box = document.getElementById("global-search");
  if (event.detail.target && event.detail.target.id === "search-suggestions" && box && box.value.trim() === "") {
    event.detail.shouldSwap = false;
    closeSuggestions();
  }
});
// A visitor's badge page prints itself from its button (no inline handlers under the CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest("button.print-page")) {
    window.print();
  }
});
