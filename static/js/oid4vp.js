// The OpenID4VP request page asks the server every two seconds whether the wallet has answered,
// and reloads when it has (or the request expired). Without JavaScript, "Check again" does it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("oid4vp-request");
  const url = box && box.dataset.statusUrl;
  if (!url) return;
  const again = box.querySelector(".oid4vp-again");
  if (again) again.hidden = true;
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (response.ok) {
        const body = await response.json();
        if (body.status !== "pending") {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // A dropped connection: try again at the next tick.
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 2000);
});
