// Functions the executor tests run; each export is one behaviour.
console.log('module loaded');

exports.echo = async (event, context) => {
  console.log('echo', JSON.stringify(event));
  return {
    event,
    functionName: context.functionName,
    requestId: context.awsRequestId,
    arn: context.invokedFunctionArn,
    remaining: context.getRemainingTimeInMillis(),
    custom: process.env.CUSTOM_SETTING,
    hostSecret: process.env.HOST_ONLY_SECRET ?? null,
    executorFd: process.env.CDC_EXECUTOR_FD ?? null,
    tmp: process.env.TMPDIR,
    traceId: process.env._X_AMZN_TRACE_ID,
  };
};

exports.callback = (event, context, callback) => {
  setTimeout(() => callback(null, { via: 'callback', n: event.n }), 10);
};

exports.returnsNothing = async () => {
  console.warn('nothing to return');
};

exports.fails = async (event) => {
  console.error('about to fail on', event.id);
  throw new TypeError(`bad record ${event.id}`);
};

exports.callbackError = (event, context, callback) => callback(new Error('callback failure'));

exports.sleeps = async (event) => {
  console.log('sleeping', event.ms);
  await new Promise((resolve) => setTimeout(resolve, event.ms));
  return 'woke';
};

exports.unhandled = async () => {
  Promise.reject(new Error('nobody awaits me'));
  await new Promise((resolve) => setTimeout(resolve, 500));
  return 'not reached';
};

exports.exits = async () => {
  process.exit(3);
};

exports.partialLine = async () => {
  process.stdout.write('no newline at the end');
  return 'ok';
};

exports.nested = { inner: async () => 'nested ok' };

exports.batchItemFailures = async (event) => ({
  batchItemFailures: event.Records.filter((record) => record.fail).map((record) => ({ itemIdentifier: record.id })),
});
