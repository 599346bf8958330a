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
