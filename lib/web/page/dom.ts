/// <reference lib="dom" />
/**
 * The one way the page makes elements: text goes in as text nodes, never as
 * markup, and elements are looked up by id with a clear error when the HTML
 * and the code disagree.
 * @module
 */

/** A new element with a class and text content. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = "",
  text = "",
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

/** The element with this id, of this type; throws when the page lacks it. */
export function byId<T extends HTMLElement>(
  id: string,
  type: { new (): T },
): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) {
    throw new TypeError(`The page has no ${type.name} #${id}`);
  }
  return node;
}
