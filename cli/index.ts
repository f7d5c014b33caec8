/**
 * `cdc`: the operator's command line. It works against any deployed stack: the target comes from
 * the stack's outputs and the function's settings (see target/), flags override. One command per
 * file in commands/.
 */
import { Command } from 'commander';
import { registerBackfill } from './commands/backfill';
import { registerHistory } from './commands/history';
import { registerPrune } from './commands/prune';
import { registerRedrive } from './commands/redrive';
import { registerStatus } from './commands/status';
import { registerTail } from './commands/tail';
import { registerVerify } from './commands/verify';
import { addGlobalOptions, describeFailure } from './target/options';

// The SDK versions are pinned in the lockfile; its notice about future Node versions is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const program = addGlobalOptions(new Command('cdc').description('Operate a DynamoDB to OpenSearch CDC pipeline'));
registerRedrive(program);
registerBackfill(program);
registerHistory(program);
registerStatus(program);
registerTail(program);
registerVerify(program);
registerPrune(program);

program.parseAsync(process.argv).catch((error) => {
  console.error(describeFailure(error));
  process.exit(1);
});
