/**
 * What the function takes: a DynamoDB Streams batch or the maintenance event. Anything else (a
 * misspelt schedule input, an empty object) is an error that says what was expected, never an
 * empty batch that silently does nothing.
 */
import { handler } from '../../lambda/handler';

it.each([
  ['a misspelt maintenance event', { cdcMaintenance: 'PRUNE' }],
  ['an empty object', {}],
  ['null', null],
  ['Records that are not a list', { Records: 'x' }],
  ['a raw EventBridge scheduled event', { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }],
])('refuses %s, naming both events it takes', async (_case, event) => {
  await expect(handler(event as never)).rejects.toThrow(/must be a DynamoDB Streams event \(a list of Records\) or the maintenance event \{"cdcMaintenance":"prune"\}/);
});
