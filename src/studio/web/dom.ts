/**
 * The only way this page makes DOM: elements with attributes, listeners and
 * children, where every string becomes a text node. Values from runs (tool
 * results, model output) can never become markup: there is no innerHTML.
 */
export type Child = Node | string | number | null | undefined | false | Child[];

export interface Props {
  [attribute: string]: string | number | boolean | undefined | ((event: Event) => void) | Record<string, string>;
}

export function h(tag: string, props: Props = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'style' && typeof v === 'object') for (const [p, val] of Object.entries(v)) el.style.setProperty(p, val);
    else if (typeof v !== 'object') el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el: HTMLElement, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces what `el` shows. */
export function show(el: HTMLElement, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}
