// The order lifecycle as one declarative table (README has the diagram). Each action says from
// which statuses it may run, where it leads, who may take it, on which channels, and whether it
// gives back what the order held (kitchen capacity always; stock only before preparation began,
// since food already made has used its ingredients). Anything not in the table is refused with
// 409 INVALID_ORDER_TRANSITION.
import type { Channel, OrderAction, OrderStatus } from './schema.js';

export type Actor = 'customer' | 'staff' | 'courier' | 'system';
export type MachineAction = OrderAction | 'expire';

export interface TransitionRule {
  from: readonly OrderStatus[];
  to: OrderStatus;
  actors: readonly Actor[];
  channels?: readonly Channel[];
  /** These actors must give a reason. */
  reasonRequiredFrom?: readonly Actor[];
  releasesHolds: boolean;
  /** Extra per-actor limits on `from` (a customer may only cancel before preparation). */
  fromFor?: Partial<Record<Actor, readonly OrderStatus[]>>;
}

export const TRANSITIONS: Record<MachineAction, TransitionRule> = {
  accept: { from: ['placed'], to: 'accepted', actors: ['staff', 'system'], releasesHolds: false },
  reject: {
    from: ['placed'],
    to: 'rejected',
    actors: ['staff', 'system'],
    reasonRequiredFrom: ['staff'],
    releasesHolds: true,
  },
  start_preparing: { from: ['accepted'], to: 'preparing', actors: ['staff'], releasesHolds: false },
  mark_ready: { from: ['preparing'], to: 'ready', actors: ['staff'], releasesHolds: false },
  hand_over: { from: ['ready'], to: 'picked_up', actors: ['staff'], channels: ['pickup'], releasesHolds: false },
  dispatch: {
    from: ['ready'],
    to: 'out_for_delivery',
    actors: ['staff', 'courier'],
    channels: ['delivery'],
    releasesHolds: false,
  },
  deliver: {
    from: ['out_for_delivery'],
    to: 'delivered',
    actors: ['staff', 'courier'],
    channels: ['delivery'],
    releasesHolds: false,
  },
  complete: { from: ['ready'], to: 'completed', actors: ['staff'], channels: ['dine_in'], releasesHolds: false },
  cancel: {
    from: ['placed', 'accepted', 'preparing', 'ready'],
    to: 'cancelled',
    actors: ['customer', 'staff', 'system'],
    fromFor: { customer: ['placed', 'accepted'] },
    reasonRequiredFrom: ['staff'],
    releasesHolds: true,
  },
  expire: { from: ['placed'], to: 'expired', actors: ['system'], releasesHolds: true },
};

export type TransitionCheck =
  | { ok: true; rule: TransitionRule }
  | { ok: false; reason: 'forbidden' | 'invalid' | 'reason_required'; message: string };

/** May `actor` take `action` on an order in `status` on `channel`? Pure: guards that need data (payment) are the caller's. */
export function checkTransition(
  action: MachineAction,
  input: { status: OrderStatus; channel: Channel; actor: Actor; reason: string | null },
): TransitionCheck {
  const rule = TRANSITIONS[action];
  if (!rule.actors.includes(input.actor))
    return {
      ok: false,
      reason: 'forbidden',
      message: `A ${input.actor} may not ${action.replace('_', ' ')} an order.`,
    };
  const from = rule.fromFor?.[input.actor] ?? rule.from;
  if (!from.includes(input.status) || (rule.channels && !rule.channels.includes(input.channel))) {
    return {
      ok: false,
      reason: 'invalid',
      message: `A ${input.channel} order that is ${input.status} cannot be moved by '${action}'${input.actor === 'customer' && action === 'cancel' ? ' by its customer once the kitchen started on it' : ''}.`,
    };
  }
  if (rule.reasonRequiredFrom?.includes(input.actor) && !input.reason)
    return { ok: false, reason: 'reason_required', message: `Say why (reason) to ${action} this order.` };
  return { ok: true, rule };
}
