/**
 * Attribute paths of the routing settings: names separated by dots, `address.city` being the
 * attribute `city` of the map `address`. A name that holds a dot or a backslash escapes it with a
 * backslash (`a\.b` is the one attribute named `a.b`), as attribute names may hold any character.
 */

/** A parsed path: one attribute name per level. */
export type AttributePath = readonly string[];

/** Why `text` is not a path, or undefined when it is one. */
export function attributePathProblem(text: string): string | undefined {
  try {
    parseAttributePath(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** `a.b\.c` → ['a', 'b.c']; throws with what is wrong (an empty name, a stray backslash). */
export function parseAttributePath(text: string): AttributePath {
  const names: string[] = [];
  let name = '';
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (char === '\\') {
      const next = text[at + 1];
      if (next !== '.' && next !== '\\') throw new Error('a backslash must be followed by a dot or a backslash (\\. or \\\\)');
      name += next;
      at++;
    } else if (char === '.') {
      names.push(name);
      name = '';
    } else {
      name += char;
    }
  }
  names.push(name);
  if (names.some((part) => part === '')) throw new Error('an attribute name in the path is empty (a leading, trailing or double dot)');
  return names;
}

/** The path as the settings write it (the inverse of parseAttributePath). */
export function formatAttributePath(path: AttributePath): string {
  return path.map((name) => name.replace(/\\/g, '\\\\').replace(/\./g, '\\.')).join('.');
}

/** Whether `inner` is `outer` or lies inside it. */
export function pathWithin(inner: AttributePath, outer: AttributePath): boolean {
  return outer.length <= inner.length && outer.every((name, level) => inner[level] === name);
}

/** Own properties only: an attribute named `__proto__` or `constructor` is an attribute, never the object's machinery. */
export function ownValue<T>(map: { readonly [name: string]: T }, name: string): T | undefined {
  return Object.hasOwn(map, name) ? map[name] : undefined;
}

/** Paths as a tree: each level's names, and where a path ends. */
export interface PathTree {
  /** A path of the set ends here: everything below is concerned. */
  readonly whole: boolean;
  readonly children: ReadonlyMap<string, PathTree>;
}

export function pathTree(paths: readonly AttributePath[]): PathTree {
  const root: { whole: boolean; children: Map<string, PathTree> } = { whole: false, children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const name of path) {
      let child = node.children.get(name) as typeof root | undefined;
      if (child === undefined) node.children.set(name, (child = { whole: false, children: new Map() }));
      node = child;
    }
    node.whole = true;
  }
  return root;
}
