// Building DOM nodes from data: every text goes in through textContent, never as HTML.

/**
 * A new element: `attrs` are set as attributes (or properties for `hidden`, `disabled`,
 * `checked`, `value`), children are nodes or strings (strings become text nodes).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = String(value);
    else if (["hidden", "disabled", "checked", "value", "selected"].includes(name)) node[name] = value;
    else if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

/** Append nodes or strings (as text) to `parent`, skipping null and false. */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replace every child of `parent` with `children`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** A table: `head` is a list of column titles, `rows` a list of lists of cells (nodes or text). */
export function table(caption, head, rows, attrs = {}) {
  return el(
    "table",
    attrs,
    caption ? el("caption", { text: caption }) : null,
    el("thead", {}, el("tr", {}, head.map((title) => el("th", { scope: "col", text: title })))),
    el(
      "tbody",
      {},
      rows.map((cells) => el("tr", {}, cells.map((cell, index) =>
        index === 0 ? el("th", { scope: "row" }, cell) : el("td", {}, cell)))),
    ),
  );
}

/** A table in a box that scrolls sideways on narrow screens, reachable by keyboard. */
export function scroller(label, tableNode) {
  return el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": label }, tableNode);
}

let idCounter = 0;

/** A document-unique id with a readable prefix. */
export function uniqueId(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}
