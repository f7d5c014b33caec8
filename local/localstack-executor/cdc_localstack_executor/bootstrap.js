'use strict';
/**
 * The runtime side of the local executor: loads the function's handler once (the init phase),
 * then runs one invocation at a time.
 *
 * Protocol with the executor (node_process.py), one JSON object per line on the socket whose fd
 * CDC_EXECUTOR_FD names (removed from the environment before the function loads):
 *   executor → runtime  {"id", "payload", "arn", "traceId", "deadlineMs"}
 *   runtime → executor  {"type":"ready"} | {"type":"init-error","error"} |
 *                       {"type":"result","id","payload"} | {"type":"error","id","error"[,"fatal":true]}
 * ("fatal": the runtime exits after this answer; the next invocation needs a new process)
 * Before each result the runtime writes `\x1e<id>\x1e` to stdout: everything the function printed
 * before that mark belongs to the invocation. stdout and stderr share one pipe, and writes to
 * pipes are synchronous in Node.js on Linux, so the mark always lands after the function's output.
 */
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');
const util = require('node:util');
const { pathToFileURL } = require('node:url');

const channel = new net.Socket({ fd: Number(process.env.CDC_EXECUTOR_FD), readable: true, writable: true });
delete process.env.CDC_EXECUTOR_FD;
const send = (message, then) => channel.write(`${JSON.stringify(message)}\n`, then);

let current; // the invocation in progress: { id, settle }

function toError(error, fallbackType) {
  if (error instanceof Error) {
    return { errorType: error.name || fallbackType, errorMessage: error.message, trace: String(error.stack || '').split('\n') };
  }
  return { errorType: fallbackType, errorMessage: typeof error === 'string' ? error : util.inspect(error), trace: [] };
}

// Console lines as the Lambda Node.js runtime writes them: timestamp, request id, level, message.
for (const [method, level] of [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
  ['trace', 'TRACE'],
]) {
  console[method] = (...args) => {
    process.stdout.write(`${new Date().toISOString()}\t${current ? current.id : 'undefined'}\t${level}\t${util.format(...args)}\n`);
  };
}

/** `dir/file.handler` (or `file.a.b`) under the task root: tries .js, .cjs, .mjs like the real runtime. */
async function loadHandler(taskRoot, spec) {
  const slash = spec.lastIndexOf('/');
  const dot = spec.indexOf('.', slash + 1);
  if (dot < 0)
    throw Object.assign(new Error(`Bad handler ${spec}: expected <module>.<function>`), { name: 'Runtime.MalformedHandlerName' });
  const modulePath = path.resolve(taskRoot, spec.slice(0, dot));
  const names = spec.slice(dot + 1).split('.');
  let loaded;
  const fs = require('node:fs');
  const candidates = ['.js', '.cjs', '.mjs'].map((extension) => modulePath + extension).filter((file) => fs.existsSync(file));
  if (candidates.length === 0) {
    throw Object.assign(new Error(`Cannot find module '${spec.slice(0, dot)}' in ${taskRoot}`), { name: 'Runtime.ImportModuleError' });
  }
  const file = candidates[0];
  try {
    if (file.endsWith('.mjs')) {
      loaded = await import(pathToFileURL(file).href);
    } else {
      try {
        loaded = require(file);
      } catch (error) {
        if (error && error.code === 'ERR_REQUIRE_ESM') loaded = await import(pathToFileURL(file).href);
        else throw error;
      }
    }
  } catch (error) {
    if (error && error.name === 'SyntaxError') throw Object.assign(error, { name: 'Runtime.UserCodeSyntaxError' });
    throw error;
  }
  let handler = loaded;
  for (const name of names) handler = handler == null ? undefined : handler[name];
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${spec.slice(0, dot)}.${names.join('.')} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  return handler;
}

function contextFor(request) {
  const env = process.env;
  let waits = true;
  return {
    get callbackWaitsForEmptyEventLoop() {
      return waits;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waits = value;
    },
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: request.arn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: request.id,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(0, request.deadlineMs - Date.now()),
  };
}

function finish(id, message) {
  if (!current || current.id !== id) return; // settled already (callback and promise both answered)
  current = undefined;
  process.stdout.write(`\x1e${id}\x1e`);
  send(message);
}

function invoke(handler, request) {
  current = { id: request.id };
  if (request.traceId) process.env._X_AMZN_TRACE_ID = request.traceId;
  else delete process.env._X_AMZN_TRACE_ID;
  const succeed = (result) =>
    finish(request.id, { type: 'result', id: request.id, payload: JSON.stringify(result === undefined ? null : result) });
  const fail = (error) => finish(request.id, { type: 'error', id: request.id, error: toError(error, 'Error') });
  let event;
  try {
    event = request.payload ? JSON.parse(request.payload) : {};
  } catch (error) {
    fail(Object.assign(new Error(`Could not parse the event: ${error.message}`), { name: 'Runtime.InvalidEventPayload' }));
    return;
  }
  const context = contextFor(request);
  const callback = (error, result) => (error != null ? fail(error) : succeed(result));
  context.done = callback;
  context.succeed = (result) => succeed(result);
  context.fail = (error) => fail(error);
  try {
    const returned = handler(event, context, callback);
    if (returned && typeof returned.then === 'function') returned.then(succeed, fail);
    else if (handler.length < 3) succeed(returned);
  } catch (error) {
    fail(error);
  }
}

// An error that escapes the handler (a rejected promise nobody awaited, a throw in a timer) fails
// the invocation in progress and ends the process, as on AWS; the executor starts a new one.
function crash(error, type) {
  const id = current && current.id;
  if (id) {
    current = undefined;
    const { errorType, errorMessage, trace } = toError(error, type);
    process.stdout.write(`${new Date().toISOString()}\t${id}\tERROR\t${type}: ${trace.join('\n') || errorMessage}\n\x1e${id}\x1e`);
    send({ type: 'error', id, fatal: true, error: { errorType: type, errorMessage: `${errorType}: ${errorMessage}`, trace } }, () =>
      process.exit(129),
    );
  } else {
    process.stderr.write(`${type}: ${error && error.stack ? error.stack : error}\n`);
    process.exit(129);
  }
}
process.on('uncaughtException', (error) => crash(error, 'Runtime.UncaughtException'));
process.on('unhandledRejection', (error) => crash(error, 'Runtime.UnhandledPromiseRejection'));

(async () => {
  let handler;
  try {
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER);
  } catch (error) {
    process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
    send({ type: 'init-error', error: toError(error, 'Runtime.ImportModuleError') }, () => process.exit(1));
    return;
  }
  const lines = readline.createInterface({ input: channel });
  lines.on('line', (line) => {
    if (line.trim()) invoke(handler, JSON.parse(line));
  });
  lines.on('close', () => process.exit(0));
  send({ type: 'ready' });
})();
