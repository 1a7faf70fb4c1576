// Cash: paid at the counter or on delivery. There is no remote party, so every operation succeeds
// at once and is answered from its own arguments; the saga runs it through the same steps as a
// card (capture at completion, void on cancel, refunds handed back by staff), so the books and
// the invariant checker treat every order alike.
import { WebhookVerificationError, type PaymentProvider, type ProviderIntent } from '../provider.js';

function intent(ref: string, status: ProviderIntent['status'], amount: number, captured = 0): ProviderIntent {
  return {
    ref,
    status,
    amount,
    currency: '',
    amountAuthorized: amount,
    amountCaptured: captured,
    amountRefunded: 0,
    clientSecret: null,
    checkoutUrl: null,
    lastFailureCode: null,
  };
}

export function createCashProvider(): PaymentProvider {
  return {
    name: 'cash',
    available: () => true,
    createIntent: async (input) => ({
      ...intent(input.paymentId, 'requires_payment', input.amount),
      currency: input.currency,
    }),
    capture: async (ref, amount) => intent(ref, 'captured', amount, amount),
    void: async (ref) => intent(ref, 'voided', 0),
    incrementAuthorization: async (ref, newAmount) => intent(ref, 'requires_payment', newAmount),
    refund: async (_ref, input) => ({
      ref: `cash_${input.refundId}`,
      refundId: input.refundId,
      amount: input.amount,
      status: 'succeeded',
    }),
    // Nothing remote to ask: the payment row is the only record, and the reconciler re-runs cash steps instead.
    fetchIntent: async () => {
      throw new Error('Cash payments have no remote state to fetch');
    },
    listRefunds: async () => [],
    verifyWebhook: () => {
      throw new WebhookVerificationError('Cash sends no webhooks.');
    },
  };
}
