// The API reference page (/api): Redoc draws the OpenAPI document named by the placeholder.
// A module of its own, so the page needs no inline script (strict CSP).
import { init } from "../vendor/redoc/redoc.standalone.js";

var root = document.getElementById("api-reference");
if (root) {
  init(root.dataset.specUrl, {
    disableTelemetry: true, // nothing leaves for Redocly's servers (the CSP would refuse it)
    sortRequiredPropsFirst: true,
    jsonSamplesExpandLevel: 3
  }, root);
}
