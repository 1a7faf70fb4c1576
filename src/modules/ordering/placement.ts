// Quoting and placing orders. The checks (store open at the fulfilment time, menu then, modifier
// rules, limits) and pricing run before the transaction, on cached reads. Then ONE short
// transaction takes kitchen capacity, reserves stock, numbers the order, writes order + lines +
// price snapshot + history and appends the outbox event — no network call inside it, so a crash
// anywhere leaves either all of it or none of it.
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/http/errors.js';
import type { Channel as CatalogChannel, ResolvedMenu } from '../catalog/index.js';
import type { IdentityApi } from '../identity/index.js';
import { localDateAt, type StoreBasics, type TenancyApi } from '../tenancy/index.js';
import { checkBasket, type CheckedBasket } from './basket.js';
import { orderAggregate, TRANSITION_EVENTS, type OrderingEvents } from './events.js';
import type { Checkout, PaymentsPort } from './payments-port.js';
import { presentLine, presentOrder, presentTotals } from './present.js';
import { priceOrder, type PriceBreakdown } from './pricing.js';
import { orderingRepo as repo, type LineRow, type NewEvent, type OrderRow } from './repo.js';
import type { BasketProblem, Order, OrderBody, Quote } from './schema.js';
import { poolOf, type SettingsService, type StoreOrderingSettings } from './settings.js';
import { planFulfilment, promisedAt, type FulfilmentPlan } from './slots.js';
import type { StockKeeper } from './stock.js';

const DAY = 86_400_000;
const MINUTE = 60_000;

export interface PlacementDeps {
  db: Db;
  clock: () => Date;
  tenancy: { api: Pick<TenancyApi, 'findStore' | 'openIntervals' | 'findTableByQrToken'> };
  catalog: { menuAt(storeId: string, channel: CatalogChannel, at: Date): Promise<ResolvedMenu> };
  stock: StockKeeper;
  identity: { api: Pick<IdentityApi, 'recordCustomer'> };
  events: EventAppender<OrderingEvents>;
  settings: Pick<SettingsService, 'settingsOf'>;
  /** After commit: the store's orders changed (live feeds, sold-out menus). */
  changed(change: { storeId: string; organizationId: string; menuChanged: boolean }): Promise<void>;
  /** Who takes the money; null when nothing does (tools that build ordering alone): orders are then cash-only. */
  payments: () => PaymentsPort | null;
  /** The compensation when an online order's payment cannot be started: the order is cancelled and gives back its holds. */
  cancelUnpayable(orderId: string): Promise<void>;
}

/** Everything known about a basket before the transaction. */
interface Prepared {
  store: StoreBasics;
  settings: StoreOrderingSettings;
  plan: FulfilmentPlan;
  basket: CheckedBasket;
  pricing: PriceBreakdown;
  problems: BasketProblem[];
  tableId: string | null;
}

/** 'user:<id>' or 'api_key:<id>': who placed an order, and the scope of its Idempotency-Key. */
export function placerOf(principal: Principal): string {
  return principal.kind === 'user' ? `user:${principal.userId}` : `api_key:${principal.apiKeyId}`;
}

/** A-001 … A-999, B-001 …: short enough to call out across a counter. */
export function orderNumber(n: number): string {
  const letter = String.fromCharCode(65 + (Math.floor((n - 1) / 999) % 26));
  return `${letter}-${String(((n - 1) % 999) + 1).padStart(3, '0')}`;
}

function basketError(problems: BasketProblem[]): UnprocessableError {
  const first = problems[0]!;
  const detail =
    problems.length === 1
      ? first.message
      : `${first.message} (and ${problems.length - 1} more problem(s), listed in errors)`;
  return new UnprocessableError(
    first.code,
    detail,
    problems.map((problem) => ({ path: problem.path, message: problem.message, code: problem.code })),
  );
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const pg = error as { code?: string; constraint?: string };
  return pg.code === '23505' && pg.constraint === constraint;
}

export function createPlacementService(deps: PlacementDeps) {
  async function loadOrder(row: OrderRow, ex: Db | Tx = deps.db): Promise<Order> {
    return presentOrder(row, await repo.linesOf(ex, [row.id]));
  }

  async function prepare(store: StoreBasics, body: OrderBody): Promise<Prepared> {
    const storeId = store.id;
    const settings = await deps.settings.settingsOf(storeId);
    const now = deps.clock().getTime();
    const problems: BasketProblem[] = [];

    let tableId: string | null = null;
    if (body.channel === 'dine_in') {
      const table = body.table_token ? await deps.tenancy.api.findTableByQrToken(body.table_token) : null;
      if (!body.table_token)
        problems.push({
          code: 'TABLE_REQUIRED',
          path: '/table_token',
          message: 'Dine-in orders need the table’s QR token.',
        });
      else if (!table || table.store_id !== storeId)
        problems.push({
          code: 'TABLE_UNKNOWN',
          path: '/table_token',
          message: 'This QR code is not a table of this store (it may have been replaced).',
        });
      else tableId = table.id;
    } else if (body.table_token !== undefined) {
      problems.push({
        code: 'TABLE_NOT_APPLICABLE',
        path: '/table_token',
        message: 'Only dine-in orders are for a table.',
      });
    }
    if (body.channel === 'delivery' && !body.delivery)
      problems.push({
        code: 'DELIVERY_DETAILS_REQUIRED',
        path: '/delivery',
        message: 'Delivery orders need an address and a contact.',
      });
    if (body.channel !== 'delivery' && body.delivery)
      problems.push({
        code: 'DELIVERY_NOT_APPLICABLE',
        path: '/delivery',
        message: 'Only delivery orders have delivery details.',
      });
    if (body.tip && body.tip.currency !== store.currency)
      problems.push({
        code: 'CURRENCY_MISMATCH',
        path: '/tip/currency',
        message: `This store charges in ${store.currency}.`,
      });

    const scheduledFor = body.scheduled_for === undefined ? null : new Date(body.scheduled_for).getTime();
    const firstDay = localDateAt(new Date(now - DAY), store.timezone);
    const lastDay = localDateAt(new Date(Math.max(now, scheduledFor ?? now) + DAY), store.timezone);
    const opening = await deps.tenancy.api.openIntervals(storeId, firstDay, lastDay);
    const plan = planFulfilment({
      now,
      scheduledFor,
      intervals: opening?.intervals ?? [],
      rules: settings,
      timezone: store.timezone,
    });
    if (!plan.ok) problems.push(plan.problem);

    // The menu at the fulfilment time: what is served when the order will be made.
    const menuTime = plan.ok ? plan.readyAt : (scheduledFor ?? now + settings.prepMinutes * MINUTE);
    const menu = await deps.catalog.menuAt(storeId, body.channel, new Date(menuTime));
    const basket = checkBasket(menu, body.lines, settings);
    problems.push(...(await withStock(storeId, body, basket)));

    const { capacity } = poolOf(settings, body.channel);
    if (capacity.items !== null && basket.itemCount > capacity.items) {
      problems.push({
        code: 'ORDER_TOO_LARGE',
        path: '/lines',
        message: `The kitchen takes at most ${capacity.items} items per ${settings.slotMinutes}-minute slot; split the order or call the store.`,
      });
    }
    if (plan.ok && plan.candidates.length === 0)
      problems.push({
        code: 'SLOT_FULL',
        path: plan.scheduled ? '/scheduled_for' : '',
        message: 'No kitchen slot is open for this time.',
      });

    const itemCount = basket.lines.reduce((sum, line) => sum + line.quantity, 0);
    const serviceCharged =
      settings.serviceChargeChannels.includes(body.channel) && itemCount >= settings.serviceChargeMinItems;
    const pricing = priceOrder({
      currency: store.currency,
      prices_include_tax: menu.prices_include_tax,
      lines: basket.lines,
      service_charge_bps: serviceCharged ? settings.serviceChargeBps : 0,
      delivery_fee: 0,
      tip: body.tip?.amount ?? 0,
    });
    return { store, settings, plan, basket, pricing, problems, tableId };
  }

  /**
   * Tracked stock, read without locks (the transaction enforces it): a sold-out item is 86'd and
   * so missing from the menu, but it is reported as the stock problem it is, whether or not the
   * cached menu has caught up yet; and a quote can say how many are left.
   */
  async function withStock(storeId: string, body: OrderBody, basket: CheckedBasket): Promise<BasketProblem[]> {
    const levels = await deps.stock.levelsOf(storeId, [...new Set(body.lines.map((line) => line.item_id))]);
    const shortage = (lineNo: number, left: number): BasketProblem => ({
      code: 'INSUFFICIENT_STOCK',
      path: `/lines/${lineNo}/quantity`,
      message:
        left === 0 ? 'Sold out at this store: must be <= 0.' : `Only ${left} left at this store: must be <= ${left}.`,
    });
    const problems = basket.problems.map((problem) => {
      const lineNo = /^\/lines\/(\d+)\/item_id$/.exec(problem.path)?.[1];
      const left = lineNo === undefined ? undefined : levels.get(body.lines[Number(lineNo)]!.item_id);
      return problem.code === 'ITEM_UNAVAILABLE' && left === 0 ? shortage(Number(lineNo), 0) : problem;
    });
    for (const line of basket.lines) {
      const left = levels.get(line.item_id);
      if (left !== undefined && (basket.units.get(line.item_id) ?? 0) > left)
        problems.push(shortage(line.line_no, left));
    }
    return problems;
  }

  /** Read-only: would this basket go through now? Capacity is checked without taking any. */
  async function quote(storeId: string, body: OrderBody): Promise<Quote> {
    const store = await deps.tenancy.api.findStore(storeId);
    if (!store) throw new NotFoundError('store');
    const prepared = await prepare(store, body);
    const { plan, settings, pricing } = prepared;
    const problems = [...prepared.problems];
    let promised: number | null = null;
    if (plan.ok && plan.candidates.length > 0 && problems.length === 0) {
      const { pool, capacity } = poolOf(settings, body.channel);
      const first = plan.candidates[0]!.startsAt;
      const last = plan.candidates[plan.candidates.length - 1]!.startsAt;
      const usage = new Map(
        (await repo.slotUsage(deps.db, storeId, pool, new Date(first), new Date(last + 1))).map((row) => [
          row.starts_at.getTime(),
          row,
        ]),
      );
      const room = plan.candidates.find((slot) => {
        const used = usage.get(slot.startsAt);
        return (
          (capacity.orders === null || (used?.orders_taken ?? 0) + 1 <= capacity.orders) &&
          (capacity.items === null || (used?.items_taken ?? 0) + prepared.basket.itemCount <= capacity.items)
        );
      });
      if (room) promised = promisedAt(room, plan.readyAt);
      else
        problems.push({
          code: 'SLOT_FULL',
          path: plan.scheduled ? '/scheduled_for' : '',
          message: 'The kitchen is fully booked for this time; pick another slot.',
        });
    }
    return {
      store_id: storeId,
      channel: body.channel,
      currency: store.currency,
      prices_include_tax: pricing.prices_include_tax,
      orderable: problems.length === 0,
      problems,
      promised_at: promised === null ? null : new Date(promised).toISOString(),
      lines: pricing.lines.map((line) =>
        presentLine(line, store.currency, {
          notes: body.lines[line.line_no]?.notes ?? null,
          parentOf: parentLookup(prepared.basket, line.line_no),
        }),
      ),
      totals: presentTotals(pricing, store.currency),
    };
  }

  function parentLookup(basket: CheckedBasket, lineNo: number) {
    return (groupId: string, optionId: string) => basket.parents.get(`${lineNo}:${groupId}:${optionId}`) ?? null;
  }

  /** An order this placer may get back instead of a new one (a retry, or the same external id). */
  async function existing(
    ex: Db | Tx,
    principal: Principal,
    storeId: string,
    organizationId: string,
    body: OrderBody,
    idempotencyKey: string | null,
  ): Promise<OrderRow | null> {
    if (idempotencyKey !== null) {
      const row = await repo.findByIdempotencyKey(ex, storeId, placerOf(principal), idempotencyKey);
      if (row) return row;
    }
    if (body.external_id !== undefined) {
      const row = await repo.findByExternalId(ex, {
        organizationId,
        source: body.source ?? 'direct',
        channel: body.channel,
        externalId: body.external_id,
      });
      if (row) {
        // A partner's id names one order; only its placer (or another key of the brand) gets it back.
        const samePlacer =
          row.placed_by === placerOf(principal) ||
          (principal.kind === 'api_key' && principal.organizationId === organizationId);
        if (!samePlacer)
          throw new ConflictError('EXTERNAL_ID_TAKEN', 'Another order already carries this external_id.');
        return row;
      }
    }
    return null;
  }

  async function place(
    principal: Principal,
    storeId: string,
    body: OrderBody,
    idempotencyKey: string | null,
  ): Promise<{ order: Order; created: boolean }> {
    const store = await deps.tenancy.api.findStore(storeId);
    if (!store) throw new NotFoundError('store');
    if (principal.kind === 'api_key' && principal.organizationId !== store.organization_id)
      throw new NotFoundError('store');
    const found = await existing(deps.db, principal, storeId, store.organization_id, body, idempotencyKey);
    if (found) return { order: await again(found), created: false };

    const payments = deps.payments();
    const online = body.payment?.method === 'online';
    if (online && !payments)
      throw new UnprocessableError(
        'ONLINE_PAYMENT_UNAVAILABLE',
        'This store takes no online payments; pay at the counter.',
        [{ path: '/payment/method', message: 'must be cash here' }],
      );
    // Refused before any work: a provider that is down fails the order fast (503), holding nothing.
    await payments?.assertCanTake(store, online ? 'online' : 'cash');
    const prepared = await prepare(store, body);
    if (prepared.problems.length > 0) throw basketError(prepared.problems);
    let result: { row: OrderRow; soldOut: string[] };
    try {
      result = await inTransaction(deps.db, (trx) => write(trx, principal, prepared, body, idempotencyKey));
    } catch (error) {
      // A concurrent twin (same key or external id) committed first: answer with its order.
      if (isUniqueViolation(error, 'orders_idempotency_key') || isUniqueViolation(error, 'orders_external_id_key')) {
        const twin = await existing(deps.db, principal, storeId, store.organization_id, body, idempotencyKey);
        if (twin) return { order: await again(twin), created: false };
      }
      throw error;
    }
    await deps.changed({ storeId, organizationId: store.organization_id, menuChanged: result.soldOut.length > 0 });
    const order = await loadOrder(result.row);
    if (!online || !payments) return { order, created: true };
    let checkout: Checkout | null;
    try {
      checkout = await payments.open(order.id);
    } catch (error) {
      // The order exists but cannot be paid: it must not hold a slot and stock for nobody.
      await deps.cancelUnpayable(order.id);
      throw error;
    }
    return { order: { ...order, payment: { ...order.payment, checkout } }, created: true };
  }

  /**
   * An order this placer already has (a retry whose stored response is gone, a twin): its
   * checkout too while it still waits for payment. Not reachable now? Then without it: the order
   * stands, the customer can fetch its payment later, and expiry ends it if nobody pays.
   */
  async function again(row: OrderRow): Promise<Order> {
    const order = await loadOrder(row);
    const payments = deps.payments();
    if (!payments || row.payment_method !== 'online' || row.status !== 'placed' || row.payment_status !== 'awaiting')
      return order;
    const checkout = await payments.open(row.id).catch(() => null);
    return { ...order, payment: { ...order.payment, checkout } };
  }

  async function write(
    trx: Tx,
    principal: Principal,
    prepared: Prepared,
    body: OrderBody,
    idempotencyKey: string | null,
  ): Promise<{ row: OrderRow; soldOut: string[] }> {
    const { store, settings, plan, basket, pricing } = prepared;
    if (!plan.ok) throw new Error('unreachable: a failed plan is a problem');
    // A twin that committed since the check in place() makes the insert below fail on a unique
    // index; place() then answers with the twin.

    const orderId = uuidv7();
    const stock = await deps.stock.reserve(trx, {
      organizationId: store.organization_id,
      storeId: store.id,
      orderId,
      items: [...basket.units].map(([itemId, quantity]) => ({ itemId, quantity })),
    });
    if (!stock.ok) {
      const errors = stock.shortages.flatMap((shortage) =>
        body.lines.flatMap((line, lineNo) =>
          line.item_id === shortage.itemId
            ? [
                {
                  path: `/lines/${lineNo}/quantity`,
                  message: `must be <= ${shortage.available}`,
                  code: 'INSUFFICIENT_STOCK',
                },
              ]
            : [],
        ),
      );
      const first = stock.shortages[0]!;
      const name = basket.lines.find((line) => line.item_id === first.itemId)?.name ?? 'this item';
      throw new UnprocessableError(
        'INSUFFICIENT_STOCK',
        `Only ${first.available} of '${name}' left at this store.`,
        errors,
      );
    }

    // The store-wide rows (the slot, then the counter) are taken last, so they are held for as
    // few statements as possible: every order of the store queues on them.
    const now = deps.clock();
    if (principal.kind === 'user')
      await deps.identity.api.recordCustomer(trx, {
        organizationId: store.organization_id,
        userId: principal.userId,
        at: now,
      });
    const { pool, capacity } = poolOf(settings, body.channel);
    let slot = null;
    for (const candidate of plan.candidates) {
      const taken = await repo.takeSlot(trx, {
        storeId: store.id,
        pool,
        startsAt: new Date(candidate.startsAt),
        items: basket.itemCount,
        maxOrders: capacity.orders,
        maxItems: capacity.items,
      });
      if (taken) {
        slot = candidate;
        break;
      }
    }
    if (!slot) {
      throw new UnprocessableError(
        'SLOT_FULL',
        plan.scheduled
          ? 'The kitchen is fully booked at the scheduled time; pick another slot (GET …/slots).'
          : `The kitchen is fully booked for the next ${settings.asapMaxWaitMinutes} minutes; schedule the order for later.`,
        [{ path: plan.scheduled ? '/scheduled_for' : '', message: 'No room in the kitchen slot', code: 'SLOT_FULL' }],
      );
    }

    const online = body.payment?.method === 'online';
    const autoAccepted = settings.autoAccept && !online;
    const history: NewEvent[] = [
      {
        type: 'placed',
        from_status: null,
        to_status: 'placed',
        actor_kind: principal.kind === 'user' ? 'customer' : 'staff',
        actor_id: principal.kind === 'user' ? principal.userId : null,
        reason: null,
      },
    ];
    if (autoAccepted)
      history.push({
        type: 'status_changed',
        from_status: 'placed',
        to_status: 'accepted',
        actor_kind: 'system',
        actor_id: null,
        reason: 'auto-accept',
      });
    const businessDate = localDateAt(now, store.timezone);
    const numbers = await repo.nextNumbers(trx, {
      storeId: store.id,
      businessDate,
      events: history.length,
      newOrder: true,
    });
    const number = orderNumber(numbers.number);
    const row = {
      id: orderId,
      organization_id: store.organization_id,
      store_id: store.id,
      number,
      business_date: businessDate,
      channel: body.channel,
      status: autoAccepted ? ('accepted' as const) : ('placed' as const),
      version: autoAccepted ? 2 : 1,
      customer_id: principal.kind === 'user' ? principal.userId : null,
      placed_by: placerOf(principal),
      idempotency_key: idempotencyKey,
      source: body.source ?? 'direct',
      external_id: body.external_id ?? null,
      table_id: prepared.tableId,
      delivery: JSON.stringify(body.delivery ?? null),
      scheduled_for: body.scheduled_for === undefined ? null : new Date(body.scheduled_for),
      promised_at: new Date(promisedAt(slot, plan.readyAt)),
      slot_pool: pool,
      slot_starts_at: new Date(slot.startsAt),
      slot_items: basket.itemCount,
      payment_method: online ? ('online' as const) : ('cash' as const),
      payment_status: online ? ('awaiting' as const) : ('not_required' as const),
      expires_at: online ? new Date(now.getTime() + settings.unpaidExpiryMinutes * MINUTE) : null,
      currency: store.currency,
      pricing: JSON.stringify(pricing),
      subtotal: pricing.subtotal,
      tax: pricing.tax,
      tip: pricing.tip,
      total: pricing.total,
      notes: body.notes ?? null,
      status_reason: null,
      placed_at: now,
      updated_at: now,
    };
    const lines: LineRow[] = pricing.lines.map((line) => ({
      order_id: orderId,
      line_no: line.line_no,
      item_id: line.item_id,
      variant_id: line.variant_id,
      name: line.name,
      quantity: line.quantity,
      modifiers: line.modifiers.map((modifier) => ({
        ...modifier,
        parent_option_id: basket.parents.get(`${line.line_no}:${modifier.group_id}:${modifier.option_id}`) ?? null,
      })),
      notes: body.lines[line.line_no]?.notes ?? null,
      total: line.total,
    }));
    const inserted = await repo.insertOrder(trx, row, lines);
    await repo.appendEvents(trx, { storeId: store.id, orderId, at: now }, numbers.firstSeq, history);
    await deps.payments()?.createIn(trx, {
      id: orderId,
      organization_id: store.organization_id,
      store_id: store.id,
      number,
      total: pricing.total,
      currency: store.currency,
      method: row.payment_method,
    });

    const facts = {
      order_id: orderId,
      organization_id: store.organization_id,
      store_id: store.id,
      number,
      channel: body.channel,
    };
    await deps.events.append(trx, {
      type: 'ordering.order.placed',
      aggregate: orderAggregate(orderId),
      data: {
        ...facts,
        status: 'placed',
        total: pricing.total,
        currency: store.currency,
        promised_at: row.promised_at.toISOString(),
        payment_method: row.payment_method,
      },
    });
    if (autoAccepted) {
      await deps.events.append(trx, {
        type: TRANSITION_EVENTS.accept,
        aggregate: orderAggregate(orderId),
        data: { ...facts, from: 'placed', to: 'accepted', actor: 'system', reason: 'auto-accept' },
      });
    }
    return { row: inserted, soldOut: stock.soldOut };
  }

  return { quote, place, loadOrder };
}

export type PlacementService = ReturnType<typeof createPlacementService>;
