// Starts GOV.UK Frontend's components (error summary focus, notification banners, the
// navigation's menu button on phones, buttons that must not be pressed twice). A file of its
// own because the Content-Security-Policy refuses inline scripts; every page works without it.
import { initAll } from "./govuk/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();

// htmx leaves a 4xx answer unswapped. A fragment marked data-swap-refusals answers a refusal
// with itself, the reason shown in it (the status stays 4xx): swap it in like any answer.
document.body.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  const target = event.detail.target;
  if (status >= 400 && status < 500 && target && target.closest("[data-swap-refusals]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
