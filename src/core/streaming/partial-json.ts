/**
 * The value a JSON text will have, read before the text is complete: an
 * agent with an output schema streams its object as it grows. Open strings,
 * arrays and objects are closed; a dangling key, separator or half-written
 * literal is dropped. Undefined while nothing can be read yet.
 */
export function parsePartialJson(text: string): unknown {
  const closers: string[] = [];
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') closers.push('}');
    else if (c === '[') closers.push(']');
    else if (c === '}' || c === ']') closers.pop();
  }
  let body = text;
  if (inString) {
    // An unfinished escape cannot be closed: drop it; then close the string.
    if (escaped) body = body.slice(0, -1);
    body = body.replace(/\\u[0-9a-fA-F]{0,3}$/, '') + '"';
  }
  const top = closers[closers.length - 1];
  for (;;) {
    const before = body;
    body = body.replace(/\s+$/, '').replace(/[,:]$/, '');
    // A half-written literal or number at the end (`tru`, `nul`, `-`, `1.`, `2e`).
    body = body.replace(/(?:\b(?:t|tr|tru|f|fa|fal|fals|n|nu|nul)|-|\d\.|\d[eE][+-]?)$/, (m) => (/\d/.test(m[0]!) ? m[0]! : ''));
    // In an object, a key with no value yet (`{"a":1,"b"`).
    if (top === '}') body = body.replace(/([{,]\s*)"(?:[^"\\]|\\.)*"$/, '$1');
    if (body === before) break;
  }
  try {
    return JSON.parse(body + closers.reverse().join(''));
  } catch {
    return undefined;
  }
}
