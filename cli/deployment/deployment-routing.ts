/**
 * The deployment's routing as the CLI applies it: the same compiled routing the function runs
 * (compileRouting of its `mirrors` and `changeLog`), so backfill, verify, --repair and redrive
 * route every item exactly as the stream does. A mirror's transform is bundled into the function;
 * the CLI runs in the user's project, so it loads the same module from there: `<module path>` is
 * relative to the current directory, as it was at synth.
 */
import * as path from 'node:path';
import { compileRouting, type Routing, type Transform } from '../../lambda/core';
import { mirrorRoutes, type FunctionSettings } from '../../lambda/settings';

/** The routing of these settings; undefined without `mirrors` and `changeLog` (one mirror takes every item whole, as always). */
export function deploymentRouting(
  settings: Pick<FunctionSettings, 'indexes' | 'routing'>,
  directory: string = process.cwd(),
): Routing | undefined {
  if (settings.routing === undefined) return undefined;
  const routes = mirrorRoutes(settings);
  const transformOf = (index: string): Transform | undefined => {
    const spec = routes.find((route) => route.index === index)?.transform;
    return spec === undefined ? undefined : loadTransform(spec, index, directory);
  };
  return compileRouting(routes, settings.routing.changeLog, transformOf);
}

const TYPESCRIPT = /\.(ts|tsx|mts|cts)$/;

/** The function `<module path>#<export>` names, loaded from `directory`; a clear error naming the mirror and the value when it is not there. */
export function loadTransform(spec: string, index: string, directory: string): Transform {
  const hash = spec.lastIndexOf('#');
  const modulePath = spec.slice(0, hash);
  const exportName = spec.slice(hash + 1);
  const file = path.resolve(directory, modulePath);
  const cannot = (why: string) =>
    new Error(
      `the transform "${spec}" of mirror ${index} ${why} (its path is read from the current directory, ${directory}: run cdc from the project that deployed the stack)`,
    );
  if (hash <= 0 || exportName === '') throw cannot('is not "<module path>#<export>"');
  let loaded: Record<string, unknown>;
  try {
    if (TYPESCRIPT.test(file)) registerTypeScript(directory);
    // A module of the user's project, named by a setting: only known at run time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(file) as Record<string, unknown>;
  } catch (error) {
    throw cannot(`cannot be loaded from ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  const transform = loaded[exportName];
  if (typeof transform !== 'function') {
    const exported = Object.keys(loaded).join(', ') || 'nothing';
    throw cannot(`is not a function exported by ${modulePath} (it exports ${exported})`);
  }
  return transform as Transform;
}

/** TypeScript modules are compiled as they load (ts-node, types not checked); once per process. */
function registerTypeScript(directory: string): void {
  if (require.extensions['.ts'] !== undefined) return;
  let register: string;
  try {
    register = require.resolve('ts-node/register/transpile-only', { paths: [directory, __dirname] });
  } catch {
    throw new Error('a TypeScript transform needs ts-node in the project (npm install --save-dev ts-node), or compile it to JavaScript');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(register);
}

/** The deployment's settings with their routing compiled, as the pipeline takes it (`compiledRouting`, absent without `mirrors` and `changeLog`). */
export function routedSettings<S extends FunctionSettings>(
  settings: S,
  directory: string = process.cwd(),
): S & { readonly compiledRouting?: Routing } {
  const compiledRouting = deploymentRouting(settings, directory);
  return compiledRouting === undefined ? settings : { ...settings, compiledRouting };
}
