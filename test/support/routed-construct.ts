/** A stack holding a pk/sk table and the construct with the given routing, for synth tests of routing. */
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { DynamoDbOpenSearchCdc, type DynamoDbOpenSearchCdcProps } from '../../lib/dynamodb-opensearch-cdc';

export type RoutingProps = Pick<DynamoDbOpenSearchCdcProps, 'mirrors' | 'changeLog'>;

export function routedConstructStack(routing: RoutingProps, app: App = new App()): Stack {
  const stack = new Stack(app, 'S');
  const table = new dynamodb.Table(stack, 'T', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
  });
  new DynamoDbOpenSearchCdc(stack, 'Cdc', {
    table,
    mirrorIndex: 'items',
    openSearchEndpoint: 'http://localhost:9200',
    monitoring: false,
    maintenance: false,
    ...routing,
  });
  return stack;
}
