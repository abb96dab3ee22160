// An API error as operators need it: what went wrong, its code, what to do about it.

import { el, replace } from "./dom.js";

/** Show `error` (an ApiError or a plain Error) in `box`, or hide the box when it is null. */
export function showError(box, error) {
  if (!error) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const fieldErrors = (error.detail?.errors ?? []).map((item) =>
    el("li", { text: `${(item.loc ?? []).join(".")}: ${item.msg}` }));
  replace(
    box,
    el("p", { class: "error-message" },
      error.code ? el("span", { class: "error-code", text: error.code }) : null,
      " ", error.message),
    fieldErrors.length ? el("ul", { class: "error-fields" }, fieldErrors) : null,
    error.hint ? el("p", { class: "error-hint" }, el("strong", { text: "What to do: " }), error.hint) : null,
  );
  box.hidden = false;
}
