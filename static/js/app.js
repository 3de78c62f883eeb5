// Small progressive enhancements; every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Forms with data-confirm ask before they are sent (the server still checks everything).
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  }

  // Buttons with data-copy="<element id>" copy that element's text; hidden without a clipboard.
  if (navigator.clipboard) {
    for (const button of document.querySelectorAll("button[data-copy]")) {
      const source = document.getElementById(button.dataset.copy);
      if (!source) continue;
      button.hidden = false;
      const label = button.textContent;
      button.addEventListener("click", async () => {
        await navigator.clipboard.writeText(source.textContent.trim());
        button.textContent = "✓ " + label;
        setTimeout(() => { button.textContent = label; }, 2000);
      });
    }
  }
});
