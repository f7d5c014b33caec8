/** Where the local engines live: one git-ignored folder, `.local/`, kept between runs. */
import * as path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const LOCAL_ROOT = process.env.CDC_LOCAL_DIR ? path.resolve(process.env.CDC_LOCAL_DIR) : path.join(PROJECT_ROOT, '.local');

export const paths = {
  engines: path.join(LOCAL_ROOT, 'engines'),
  data: path.join(LOCAL_ROOT, 'data'),
  logs: path.join(LOCAL_ROOT, 'logs'),
  run: path.join(LOCAL_ROOT, 'run'),
  /** PIDs of the engines started by `up`, for `down`. */
  state: path.join(LOCAL_ROOT, 'run', 'engines.json'),
  /** The synthesized cloud assembly of local deploys (kept out of the project's own cdk.out). */
  cdkOut: path.join(LOCAL_ROOT, 'cdk.out'),
  /** Stack outputs of the last local deploy. */
  outputs: path.join(LOCAL_ROOT, 'run', 'outputs.json'),
};
