/**
 * The transforms bundled into the function, by mirror index. The construct generates the
 * function's entry (lib/handler-code.ts): a module that imports each mirror's transform from the
 * user's project and registers it here before the handler's module loads; the handler looks them
 * up by the mirror index its settings name. A function bundled without transforms (the package's
 * pre-built bundle) has none registered: a mirror whose settings name one is then a setting the
 * function cannot honour (unregisteredTransforms says which).
 */
import type { MirrorRoute } from './route';
import type { Transform } from './transform';

const registered = new Map<string, Transform>();

/** Registers each mirror's transform (by the mirror's index); a later registration for the same index replaces the earlier. */
export function registerTransforms(transforms: { readonly [index: string]: Transform }): void {
  for (const [index, transform] of Object.entries(transforms)) {
    if (typeof transform !== 'function') throw new TypeError(`the transform registered for mirror ${index} is not a function`);
    registered.set(index, transform);
  }
}

/** The transform registered for the mirror, if any. */
export function transformFor(index: string): Transform | undefined {
  return registered.get(index);
}

/** Every registered transform is forgotten (tests). */
export function clearTransforms(): void {
  registered.clear();
}

/** The mirrors whose settings name a transform that is not registered (the function was bundled without it). */
export function unregisteredTransforms(mirrors: readonly MirrorRoute[]): MirrorRoute[] {
  return mirrors.filter((mirror) => mirror.transform !== undefined && !registered.has(mirror.index));
}
