/**
 * `cdc`: the operator's command line (bin/cdc.js runs it). It works against any deployed stack:
 * the deployment comes from the stack's outputs and the function's settings (see deployment/),
 * flags override. One command per file in commands/.
 */
import { Command } from 'commander';
import { COMMANDS } from './commands';
import { addGlobalOptions, describeFailure } from './deployment';

// The SDK versions are pinned in the lockfile; its notice about future Node versions is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const program = addGlobalOptions(new Command('cdc').description('Operate a DynamoDB to OpenSearch CDC pipeline'));
for (const register of COMMANDS) register(program);

program.parseAsync(process.argv).catch((error) => {
  console.error(describeFailure(error));
  process.exit(1);
});
