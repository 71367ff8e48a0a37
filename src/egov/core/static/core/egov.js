// Starts GOV.UK Frontend's components (error summary focus, notification banners, the
// navigation's menu button on phones, buttons that must not be pressed twice). A file of its
// own because the Content-Security-Policy refuses inline scripts; every page works without it.
import { initAll } from "./govuk/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
