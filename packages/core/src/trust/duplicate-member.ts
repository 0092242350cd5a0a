/**
 * The first member name that appears twice in one object of a JSON text, if any. `JSON.parse` (and so
 * every JWT library) keeps the last of duplicate members silently: a signed token with a second `exp` or
 * `scope` would be read as its signer never showed it. Names are compared after unescaping
 * (`"sc\u006fpe"` is `"scope"`). The text must be valid JSON (check it after parsing succeeded).
 */
export function duplicateMember(text: string): string | undefined {
  // One entry per open container: the member names seen so far in an object, `null` for an array.
  const open: (Set<string> | null)[] = [];
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const names = open[open.length - 1];
      if (expectName && names) {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        if (names.has(name)) return name;
        names.add(name);
      }
      expectName = false;
      i = end;
    } else if (c === '{') {
      open.push(new Set());
      expectName = true;
    } else if (c === '[') {
      open.push(null);
      expectName = false;
    } else if (c === '}' || c === ']') {
      open.pop();
      expectName = false;
    } else if (c === ',') {
      expectName = open[open.length - 1] instanceof Set;
    } else if (c === ':') {
      expectName = false;
    }
  }
  return undefined;
}
