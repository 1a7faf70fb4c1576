// Personal data used by the tests that prove it never appears where it must not (the database
// in the clear, the logs): distinctive strings, so a grep finds them and nothing else.
import { randomUUID } from 'node:crypto';
import type { TestApp } from './harness.js';
import { placeOrder } from './ordering-factories.js';

export const DEMO_DELIVERY = {
  address: {
    line1: '221B Quillfeather Lane',
    line2: 'Flat Zephyrine',
    city: 'Wexmoorton',
    postal_code: 'QX7 9ZW',
    country: 'GB',
  },
  contact: { name: 'Ottoline Vandersnoot', phone: '+44 20 7946 0321' },
  instructions: 'Ring twice, ask for Ottoline at the blue gate',
};

/** The strings of DEMO_DELIVERY that must never be stored in the clear or logged. */
export const DEMO_DELIVERY_STRINGS = [
  DEMO_DELIVERY.address.line1,
  DEMO_DELIVERY.address.line2,
  'Wexmoorton',
  'Vandersnoot',
  '7946 0321',
  'blue gate',
];

/** A delivery order of the menu's cheapest line with DEMO_DELIVERY's details, through the API. */
export function placeDeliveryOrder(
  t: TestApp,
  token: string,
  storeId: string,
  line: Record<string, unknown>,
  delivery: unknown = DEMO_DELIVERY,
) {
  return placeOrder(t, token, storeId, { channel: 'delivery', lines: [line], delivery }, randomUUID());
}
