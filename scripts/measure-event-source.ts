/**
 * Measures what an emulator's DynamoDB Streams event source mapping does, with its own small
 * table, function and queue per scenario (removed afterwards): partial batch responses, retries
 * and their timing, bisect, the on-failure SQS destination, the batching window, and the delay
 * from a write to the invocation. The function reports each invocation to an HTTP recorder run
 * by this script, so nothing but the emulator is needed.
 *
 *   AWS_ENDPOINT_URL=http://localhost:4566 npx ts-node --transpile-only scripts/measure-event-source.ts [scenario…]
 *
 * Prints one JSON document (the figures in local/localstack-executor/FINDINGS.md come from it).
 */
import * as http from 'node:http';
import JSZip from 'jszip';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { endpointsFromEnv, sdkClientConfig } from '../local';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const endpoints = endpointsFromEnv();
const config = sdkClientConfig(endpoints);
const dynamo = new DynamoDBClient(config);
const lambda = new LambdaClient(config);
const sqs = new SQSClient(config);
const run = `m${Date.now().toString(36)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Records the keys and sequence numbers of its batch, then fails records whose key says so. */
const FUNCTION_CODE = `
exports.handler = async (event, context) => {
  const records = event.Records || [];
  const keys = records.map((r) => r.dynamodb.Keys.id.S);
  await fetch(process.env.RECORDER_URL, { method: 'POST', body: JSON.stringify({ at: Date.now(), keys, sequenceNumbers: records.map((r) => r.dynamodb.SequenceNumber), requestId: context.awsRequestId }) });
  if (keys.some((key) => key.includes('throw'))) throw new Error('a record of this batch makes the function throw');
  return { batchItemFailures: records.filter((r) => r.dynamodb.Keys.id.S.includes('fail')).map((r) => ({ itemIdentifier: r.dynamodb.SequenceNumber })) };
};
`;

interface Invocation {
  at: number;
  keys: string[];
  sequenceNumbers: string[];
}

const invocations: Invocation[] = [];

function startRecorder(): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      invocations.push(JSON.parse(body) as Invocation);
      response.end('ok');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, close: () => server.close() }),
    ),
  );
}

/** A zip archive with the function's one file, as CreateFunction takes it. */
function zipOf(name: string, content: string): Promise<Buffer> {
  return new JSZip().file(name, content).generateAsync({ type: 'nodebuffer', platform: 'UNIX' });
}

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Scenario {
  name: string;
  mapping: Record<string, unknown>;
  /** Writes the scenario's items; returns write times by key. */
  write: (table: string) => Promise<Record<string, number>>;
  /** How long to watch after the writes. */
  watchMs: number;
}

const put = (table: string, id: string) => dynamo.send(new PutItemCommand({ TableName: table, Item: { id: { S: id } } }));
const batchPut = (table: string, ids: string[]) =>
  dynamo.send(new BatchWriteItemCommand({ RequestItems: { [table]: ids.map((id) => ({ PutRequest: { Item: { id: { S: id } } } })) } }));

const SCENARIOS: Scenario[] = [
  {
    // One batch p-1..p-5, p-3 reported failed: what is retried, how often, how far apart, what reaches the queue.
    name: 'partial',
    mapping: {
      BatchSize: 10,
      MaximumRetryAttempts: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumBatchingWindowInSeconds: 1,
    },
    write: async (table) => {
      const at = Date.now();
      await batchPut(table, ['p-1', 'p-2', 'p-3-fail', 'p-4', 'p-5']);
      await sleep(20_000);
      await put(table, 'p-6-after');
      return { batch: at, after: Date.now() };
    },
    watchMs: 15_000,
  },
  {
    // A thrown error with BisectBatchOnFunctionError: is the batch split?
    name: 'bisect',
    mapping: { BatchSize: 10, MaximumRetryAttempts: 2, BisectBatchOnFunctionError: true, MaximumBatchingWindowInSeconds: 1 },
    write: async (table) => {
      const at = Date.now();
      await batchPut(table, ['b-1', 'b-2-throw', 'b-3', 'b-4']);
      return { batch: at };
    },
    watchMs: 25_000,
  },
  {
    // MaximumBatchingWindowInSeconds 4: three writes one second apart.
    name: 'window',
    mapping: { BatchSize: 100, MaximumBatchingWindowInSeconds: 4 },
    write: async (table) => {
      const times: Record<string, number> = {};
      for (const id of ['w-1', 'w-2', 'w-3']) {
        times[id] = Date.now();
        await put(table, id);
        await sleep(1000);
      }
      return times;
    },
    watchMs: 10_000,
  },
  {
    // No window: the delay from each write to its invocation.
    name: 'latency',
    mapping: { BatchSize: 100 },
    write: async (table) => {
      const times: Record<string, number> = {};
      for (let i = 1; i <= 10; i++) {
        const id = `l-${i}`;
        times[id] = Date.now();
        await put(table, id);
        await sleep(1000);
      }
      return times;
    },
    watchMs: 8_000,
  },
];

async function runScenario(scenario: Scenario, functionArn: string) {
  const table = `${run}-${scenario.name}`;
  const queueName = `${run}-${scenario.name}-dlq`;
  const { TableDescription } = await dynamo.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  await waitUntil('the table', async () =>
    (await dynamo.send(new DescribeTableCommand({ TableName: table }))).Table?.TableStatus === 'ACTIVE' ? true : undefined,
  );
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const { UUID } = await lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: functionArn,
      EventSourceArn: TableDescription!.LatestStreamArn,
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: { OnFailure: { Destination: Attributes!.QueueArn } },
      ...scenario.mapping,
    }),
  );
  await waitUntil('the mapping', async () =>
    (await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State === 'Enabled' ? true : undefined,
  );
  await sleep(2000); // the poller's first look at the stream
  const first = invocations.length;
  const started = Date.now();
  const writes = await scenario.write(table);
  await sleep(scenario.watchMs);
  const seen = invocations.slice(first).filter((invocation) => invocation.keys.some((key) => key.startsWith(scenario.name[0] + '-')));
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  await lambda.send(new DeleteEventSourceMappingCommand({ UUID })).catch(() => undefined);
  await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined);
  await dynamo.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  return {
    scenario: scenario.name,
    mapping: scenario.mapping,
    invocations: seen.map((invocation) => ({ msAfterStart: invocation.at - started, keys: invocation.keys })),
    gapsMs: seen.slice(1).map((invocation, i) => invocation.at - seen[i].at),
    writeToInvocationMs: Object.fromEntries(
      Object.entries(writes)
        .filter(([key]) => key.includes('-'))
        .map(([key, at]) => [key, (seen.find((invocation) => invocation.keys.includes(key))?.at ?? NaN) - at]),
    ),
    onFailureMessages: (Messages ?? []).map((message) => JSON.parse(message.Body!)),
  };
}

async function main() {
  const wanted = process.argv.slice(2);
  const recorder = await startRecorder();
  const functionName = `${run}-recorder`;
  const { FunctionArn } = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: functionName,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::000000000000:role/measure-event-source',
      Code: { ZipFile: await zipOf('index.js', FUNCTION_CODE) },
      Timeout: 10,
      Environment: { Variables: { RECORDER_URL: recorder.url } },
    }),
  );
  await waitUntil('the function', async () =>
    (await lambda.send(new GetFunctionCommand({ FunctionName: functionName }))).Configuration?.State === 'Active' ? true : undefined,
  );
  const results = [];
  try {
    for (const scenario of SCENARIOS.filter((candidate) => wanted.length === 0 || wanted.includes(candidate.name))) {
      process.stderr.write(`scenario ${scenario.name}…\n`);
      results.push(await runScenario(scenario, FunctionArn!));
    }
  } finally {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: functionName })).catch(() => undefined);
    recorder.close();
    dynamo.destroy();
    lambda.destroy();
    sqs.destroy();
  }
  console.log(JSON.stringify({ endpoint: endpoints.aws, measuredAt: new Date().toISOString(), results }, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
