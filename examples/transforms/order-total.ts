/**
 * The `orders` mirror's transform of examples/single-table.json: each order's document gets its
 * `total` (the sum of its lines' price × quantity) and `lineCount`; a draft order is in no index
 * (null: not written, and removed if it was there). A REMOVE deletes the order, as without a
 * transform, except one that TTL expired (DynamoDB itself removed it): that is kept, marked.
 */
import type { PlainItem, Transform } from '../../lib';

interface OrderLine {
  readonly price?: number;
  readonly quantity?: number;
}

export const orderTotal: Transform = (item, context) => {
  if (context.eventName === 'REMOVE') {
    const expired = context.record.userIdentity?.principalId === 'dynamodb.amazonaws.com';
    return expired ? { ...withTotal(item), expired: true } : null;
  }
  return item.status === 'draft' ? null : withTotal(item);
};

function withTotal(item: PlainItem): PlainItem {
  const lines = Array.isArray(item.lines) ? (item.lines as OrderLine[]) : [];
  // A line without a price or a quantity is a mistake in the data: the record is dead-lettered with this message.
  const broken = lines.findIndex((line) => typeof line.price !== 'number' || typeof line.quantity !== 'number');
  if (broken >= 0) throw new Error(`line ${broken} of order ${String(item.pk)} has no price or quantity`);
  const cents = lines.reduce((sum, line) => sum + Math.round(line.price! * 100) * line.quantity!, 0);
  return { ...item, total: cents / 100, lineCount: lines.length };
}
