// The fake's PaymentIntents, charges and refunds, and what the API (and the test, standing in for
// the customer's card) may do to them: the statuses, amounts and error codes Stripe documents for
// manual capture, incremental authorization and refunds.
import { randomBytes } from 'node:crypto';
import { fail, id, integer, now, strings, type Form, type Json } from './fake-stripe-params.js';

export function createStripeObjects() {
  const intents = new Map<string, Json>();
  const charges = new Map<string, Json>();
  const refunds = new Map<string, Json>();
  const declinedIncrements = new Map<string, string>();

  const intentOf = (intentId: string): Json => {
    const found = intents.get(intentId);
    if (!found)
      throw fail(404, 'invalid_request_error', `No such payment_intent: '${intentId}'`, {
        code: 'resource_missing',
        param: 'intent',
      });
    return found;
  };
  const chargeOf = (intent: Json): Json | undefined => charges.get(String(intent.latest_charge));
  const unexpectedState = (intent: Json, action: string, allowed: string[]) =>
    fail(
      400,
      'invalid_request_error',
      `You cannot ${action} this PaymentIntent because it has a status of ${String(intent.status)}. Only a PaymentIntent with one of the following statuses may be ${action}ed: ${allowed.join(', ')}.`,
      {
        code: 'payment_intent_unexpected_state',
        payment_intent: { ...intent },
      },
    );
  const expanded = (intent: Json, form: Form): Json => {
    const expand = Array.isArray(form.expand) ? form.expand : [];
    const charge = chargeOf(intent);
    return expand.includes('latest_charge') && charge ? { ...intent, latest_charge: { ...charge } } : { ...intent };
  };

  function createIntent(form: Form): Json {
    const amount = integer(form, 'amount');
    if (typeof form.currency !== 'string')
      throw fail(400, 'invalid_request_error', 'Missing required param: currency.', {
        code: 'parameter_missing',
        param: 'currency',
      });
    const intentId = id('pi');
    const card = strings((form.payment_method_options as Form | undefined)?.card);
    const intent: Json = {
      id: intentId,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      currency: form.currency,
      status: 'requires_payment_method',
      capture_method: typeof form.capture_method === 'string' ? form.capture_method : 'automatic_async',
      client_secret: `${intentId}_secret_${randomBytes(12).toString('hex')}`,
      description: typeof form.description === 'string' ? form.description : null,
      metadata: strings(form.metadata),
      latest_charge: null,
      last_payment_error: null,
      payment_method_options: {
        card: { request_incremental_authorization: card.request_incremental_authorization ?? 'never' },
      },
      canceled_at: null,
      cancellation_reason: null,
      created: now(),
      livemode: false,
    };
    intents.set(intentId, intent);
    return intent;
  }

  function capture(intent: Json, form: Form): Json {
    if (intent.status !== 'requires_capture') throw unexpectedState(intent, 'capture', ['requires_capture']);
    const capturable = intent.amount_capturable as number;
    const amount = integer(form, 'amount_to_capture', capturable);
    if (amount > capturable)
      throw fail(
        400,
        'invalid_request_error',
        `The amount_to_capture (${amount}) is greater than the amount_capturable (${capturable}).`,
        { code: 'amount_too_large', param: 'amount_to_capture' },
      );
    Object.assign(intent, { status: 'succeeded', amount_capturable: 0, amount_received: amount });
    Object.assign(chargeOf(intent) ?? {}, { captured: true, amount_captured: amount });
    return intent;
  }

  function cancel(intent: Json): Json {
    const allowed = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action'];
    if (!allowed.includes(String(intent.status))) throw unexpectedState(intent, 'cancel', allowed);
    return Object.assign(intent, {
      status: 'canceled',
      amount_capturable: 0,
      canceled_at: now(),
      cancellation_reason: 'requested_by_customer',
    });
  }

  function increment(intent: Json, form: Form): Json {
    if (intent.status !== 'requires_capture') throw unexpectedState(intent, 'increment', ['requires_capture']);
    const options = intent.payment_method_options as { card: { request_incremental_authorization: string } };
    if (options.card.request_incremental_authorization !== 'if_available') {
      throw fail(
        400,
        'invalid_request_error',
        'This PaymentIntent was not created with incremental authorization requested.',
        { code: 'incremental_authorization_not_available' },
      );
    }
    const amount = integer(form, 'amount');
    if (amount <= (intent.amount as number))
      throw fail(400, 'invalid_request_error', 'The new amount must be greater than the current authorized amount.', {
        param: 'amount',
      });
    const declined = declinedIncrements.get(String(intent.id));
    if (declined)
      throw fail(402, 'card_error', 'Your card was declined.', {
        code: 'card_declined',
        decline_code: declined,
        payment_intent: { ...intent },
      });
    Object.assign(intent, { amount, amount_capturable: amount });
    Object.assign(chargeOf(intent) ?? {}, { amount });
    return intent;
  }

  function refund(form: Form): Json {
    if (typeof form.payment_intent !== 'string')
      throw fail(
        400,
        'invalid_request_error',
        'One of the following params should be provided for this request: payment_intent or charge.',
        { code: 'parameter_missing' },
      );
    const intent = intentOf(form.payment_intent);
    const charge = chargeOf(intent);
    if (intent.status !== 'succeeded' || !charge)
      throw fail(
        400,
        'invalid_request_error',
        `PaymentIntent ${String(intent.id)} does not have a successful charge to refund.`,
        { code: 'payment_intent_unexpected_state' },
      );
    const remaining = (intent.amount_received as number) - (charge.amount_refunded as number);
    if (remaining === 0)
      throw fail(400, 'invalid_request_error', `Charge ${String(charge.id)} has already been refunded.`, {
        code: 'charge_already_refunded',
      });
    const amount = integer(form, 'amount', remaining);
    if (amount > remaining)
      throw fail(
        400,
        'invalid_request_error',
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining}).`,
        { code: 'amount_too_large', param: 'amount' },
      );
    charge.amount_refunded = (charge.amount_refunded as number) + amount;
    charge.refunded = charge.amount_refunded === intent.amount_received;
    const created: Json = {
      id: id('re'),
      object: 'refund',
      amount,
      charge: charge.id,
      currency: intent.currency,
      payment_intent: intent.id,
      reason: typeof form.reason === 'string' ? form.reason : null,
      status: 'succeeded',
      metadata: strings(form.metadata),
      created: now(),
    };
    refunds.set(String(created.id), created);
    return created;
  }

  function listRefunds(form: Form, path: string): Json {
    const all = [...refunds.values()]
      .filter((item) => form.payment_intent === undefined || item.payment_intent === form.payment_intent)
      .reverse(); // newest first
    const after =
      typeof form.starting_after === 'string' ? all.findIndex((item) => item.id === form.starting_after) + 1 : 0;
    const limit = typeof form.limit === 'string' ? Math.min(100, Number(form.limit)) : 10;
    const data = all.slice(after, after + limit);
    return { object: 'list', data, has_more: after + limit < all.length, url: path };
  }

  /** The customer's confirm: funds held (requires_capture), or declined back to requires_payment_method. */
  function authorize(intentId: string, outcome: 'success' | 'decline' = 'success'): void {
    const intent = intentOf(intentId);
    if (outcome === 'decline') {
      const error = {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
      };
      Object.assign(intent, { status: 'requires_payment_method', last_payment_error: error });
      return;
    }
    const charge: Json = {
      id: id('ch'),
      object: 'charge',
      amount: intent.amount,
      amount_captured: 0,
      amount_refunded: 0,
      captured: false,
      refunded: false,
      currency: intent.currency,
      payment_intent: intentId,
    };
    charges.set(String(charge.id), charge);
    const manual = intent.capture_method === 'manual';
    Object.assign(
      intent,
      manual
        ? { status: 'requires_capture', amount_capturable: intent.amount }
        : { status: 'succeeded', amount_received: intent.amount },
    );
    Object.assign(intent, { latest_charge: charge.id, last_payment_error: null });
  }

  /** The current object (payment_intent, charge or refund) as an event would carry it. */
  function snapshot(objectId: string): Json {
    const found = intents.get(objectId) ?? charges.get(objectId) ?? refunds.get(objectId);
    if (!found) throw new Error(`fake Stripe has no object ${objectId}`);
    return structuredClone(found);
  }

  return {
    intentOf,
    expanded,
    createIntent,
    capture,
    cancel,
    increment,
    refund,
    listRefunds,
    authorize,
    snapshot,
    /** The issuer declines any further increment of this intent's authorization (402 card_error). */
    declineIncrements(intentId: string, declineCode: string): void {
      declinedIncrements.set(intentId, declineCode);
    },
  };
}
