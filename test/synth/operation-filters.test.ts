/**
 * The event source mapping's filter: an operation no index takes (no mirror, not the change log)
 * never invokes the function; with every operation wanted there is no filter at all.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { routedConstructStack, type RoutingProps } from '../support/routed-construct';

function eventSource(routing: RoutingProps = {}): Record<string, unknown> {
  const stack = routedConstructStack(routing);
  const mappings = Template.fromStack(stack).findResources('AWS::Lambda::EventSourceMapping');
  expect(Object.keys(mappings)).toHaveLength(1);
  return (Object.values(mappings)[0] as { Properties: Record<string, unknown> }).Properties;
}

const filterOn = (...operations: string[]) => ({ Filters: [{ Pattern: JSON.stringify({ eventName: operations }) }] });

describe('the event source filter on the operations', () => {
  it('is absent when every operation is wanted: by default, by a mirror, or by the change log', () => {
    expect(eventSource().FilterCriteria).toBeUndefined();
    expect(eventSource({ mirrors: [{ index: 'a', operations: ['INSERT'] }, { index: 'b' }] }).FilterCriteria).toBeUndefined();
    expect(eventSource({ mirrors: [{ index: 'a', operations: ['INSERT'] }] }).FilterCriteria).toBeUndefined();
  });

  it('lets only the operations some index takes invoke the function', () => {
    const insertsOnly: RoutingProps = { mirrors: [{ index: 'a', operations: ['INSERT'] }], changeLog: { operations: ['INSERT'] } };
    expect(eventSource(insertsOnly).FilterCriteria).toEqual(filterOn('INSERT'));
    const noRemove: RoutingProps = {
      mirrors: [
        { index: 'a', operations: ['INSERT'] },
        { index: 'b', operations: ['MODIFY', 'INSERT'] },
      ],
      changeLog: { operations: ['MODIFY'] },
    };
    expect(eventSource(noRemove).FilterCriteria).toEqual(filterOn('INSERT', 'MODIFY'));
  });

  it('keeps the rest of the mapping as it is', () => {
    const filtered = eventSource({ mirrors: [{ index: 'a', operations: ['REMOVE'] }], changeLog: { operations: ['REMOVE'] } });
    const plain = eventSource();
    expect({ ...filtered, FilterCriteria: undefined }).toEqual({ ...plain, FilterCriteria: undefined });
    expect(filtered).toMatchObject({
      FilterCriteria: filterOn('REMOVE'),
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });
});
