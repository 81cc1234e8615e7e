// Initialise GOV.UK Frontend components. Loaded as <script type="module">
// so the Content-Security-Policy needs no inline script.
import { initAll } from "../govuk/govuk-frontend-6.6.0.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
