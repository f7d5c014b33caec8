import type { AttributeMap } from '../../../../lambda/core';
import { exclusionOf, imageWithout, rawRecordWithout } from '../../../../lambda/core/routing';

const image: AttributeMap = {
  id: { S: '1' },
  email: { S: 'a@example.com' },
  profile: { M: { ssn: { S: '123' }, city: { S: 'Kyoto' } } },
  cards: { L: [{ M: { number: { S: '4111' }, brand: { S: 'V' } } }, { S: 'not a map' }] },
};

describe('the change log excluding paths', () => {
  it('drops paths through maps and lists, leaving the rest', () => {
    expect(imageWithout(image, exclusionOf(['email', 'profile.ssn', 'cards.number'])!)).toEqual({
      id: { S: '1' },
      profile: { M: { city: { S: 'Kyoto' } } },
      cards: { L: [{ M: { brand: { S: 'V' } } }, { S: 'not a map' }] },
    });
  });

  it('has nothing to do without paths', () => {
    expect(exclusionOf(undefined)).toBeUndefined();
    expect(exclusionOf([])).toBeUndefined();
  });

  it('takes the paths out of a raw record as a dead letter keeps it, keys untouched, malformed parts as they came', () => {
    const raw = { eventName: 'MODIFY', dynamodb: { Keys: { email: { S: 'k' } }, NewImage: image, OldImage: { email: { M: null } } } };
    const stripped = rawRecordWithout(raw, exclusionOf(['email', 'profile']));
    expect(stripped).toEqual({
      eventName: 'MODIFY',
      dynamodb: { Keys: { email: { S: 'k' } }, NewImage: { id: image.id, cards: image.cards }, OldImage: {} },
    });
    expect(rawRecordWithout({ broken: true }, exclusionOf(['email']))).toEqual({ broken: true });
  });
});
