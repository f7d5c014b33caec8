/**
 * Where the function's code comes from. In this checkout the TypeScript entry sits beside the
 * construct, and CDK bundles it with esbuild at synth time; when mirrors name transforms, the
 * entry is a generated one that registers them before the handler loads (transform-entry.ts). In
 * the installed package only the compiled construct is there, next to the bundle `npm run build`
 * made with the same options; the function then uses that bundle as it is, so a consumer app
 * needs neither esbuild nor Docker, and can bundle no transform into it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SettingError } from '../lambda/settings';
import { transformEntry, type MirrorTransform } from './transform-entry';

/** The function's TypeScript entry, relative to the package root. */
export const HANDLER_ENTRY = path.join('lambda', 'handler.ts');

/** Where `npm run build` puts the bundled function, relative to the package root. */
export const HANDLER_BUNDLE_DIR = path.join('dist', 'handler-bundle');

/** The bundle's file (`index.js`, as CDK names it) and the exported function. */
export const HANDLER = 'index.handler';

/** How the function is bundled, at synth time from source or at build time for the package. */
export const HANDLER_BUNDLING: BundlingOptions = {
  // Everything inside the bundle: emulators that run functions as local processes have
  // no runtime-provided AWS SDK. Local esbuild only, never Docker.
  externalModules: [],
  forceDockerBundling: false,
  format: OutputFormat.CJS,
  target: 'node20',
  minify: true,
  sourceMap: true,
};

/**
 * The esbuild options HANDLER_BUNDLING stands for, to build the same bundle outside CDK
 * (`npm run build`, scripts/measure-bundle.ts).
 * @param packageRoot the folder holding `lambda/`
 * @param outfile where the bundle goes
 */
export function handlerBuildOptions(packageRoot: string, outfile: string) {
  return {
    absWorkingDir: packageRoot,
    entryPoints: [HANDLER_ENTRY],
    outfile,
    bundle: true,
    platform: 'node' as const,
    format: HANDLER_BUNDLING.format,
    target: HANDLER_BUNDLING.target,
    minify: HANDLER_BUNDLING.minify,
    sourcemap: HANDLER_BUNDLING.sourceMap,
    external: HANDLER_BUNDLING.externalModules,
  };
}

/**
 * The code props of the function: the TypeScript entry with its bundling when the sources are
 * there (this checkout), with the mirrors' transforms registered when there are any; else the
 * pre-built bundle of the installed package, which takes no transform (a SettingError naming the
 * first mirror that has one).
 * @param packageRoot the folder holding `lambda/` (sources) or `dist/` (package); by default the
 *   package this module belongs to
 */
export function handlerCode(
  packageRoot = packageRootOf(__dirname),
  transforms: readonly MirrorTransform[] = [],
): Pick<NodejsFunctionProps, 'entry' | 'bundling' | 'code' | 'handler'> {
  const entry = path.join(packageRoot, HANDLER_ENTRY);
  if (fs.existsSync(entry)) {
    return { entry: transforms.length > 0 ? transformEntry(entry, transforms) : entry, handler: HANDLER, bundling: HANDLER_BUNDLING };
  }
  if (transforms.length > 0) {
    throw new SettingError(
      transforms[0].setting,
      `cannot be bundled: this installation of the package carries the pre-built function only, without the sources (${HANDLER_ENTRY}) a transform is bundled with. ` +
        'Use the package from its sources (a checkout of the repository), or shape the mirror with include, exclude, rename and fields instead',
      transforms[0].transform,
    );
  }
  const bundle = path.join(packageRoot, HANDLER_BUNDLE_DIR);
  if (!fs.existsSync(path.join(bundle, 'index.js'))) {
    throw new Error(`the function's code is missing: neither ${entry} nor ${bundle}/index.js exists (run npm run build)`);
  }
  return { code: lambda.Code.fromAsset(bundle), handler: HANDLER };
}

/** The nearest folder with a package.json above `dir` (`lib/` in sources, `dist/lib/` compiled). */
function packageRootOf(dir: string): string {
  for (let at = dir; ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, 'package.json'))) return at;
    if (path.dirname(at) === at) throw new Error(`no package.json above ${dir}`);
  }
}
