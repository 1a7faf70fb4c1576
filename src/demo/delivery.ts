// The demo brand's delivery (issue 15; the walkthrough and outside checks rely on these facts):
// - Brooklyn (40.7216, -73.9573, 100 Bedford Ave): within 3 km, fee 2.99, minimum 15.00; 3 to
//   6 km, fee 4.99, minimum 25.00 — drawn as a 3 km circle over a 6 km one, the inner one first;
// - Berlin Mitte (52.5294, 13.4010): one 4 km zone, fee 3.50, minimum 20.00.
import type { Tx } from '../platform/db/index.js';
import type { Modules } from '../modules.js';

export const DEMO_LOCATIONS = {
  brooklyn: { lat: 40.7216, lng: -73.9573 },
  berlin: { lat: 52.5294, lng: 13.401 },
} as const;

const usd = (amount: number) => ({ amount, currency: 'USD' });
const eur = (amount: number) => ({ amount, currency: 'EUR' });

export async function seedDemoDelivery(
  trx: Tx,
  modules: Modules,
  stores: { berlin: string; brooklyn: string },
): Promise<void> {
  const { tenancy, delivery } = modules;
  const store = async (id: string) => (await tenancy.api.findStore(id, trx))!;
  const brooklyn = await store(stores.brooklyn);
  await delivery.api.seedZone(trx, brooklyn, {
    name: 'Within 3 km',
    priority: 2,
    area: { type: 'circle', radius_m: 3000 },
    fee: { type: 'fixed', amount: usd(299) },
    minimum_order: usd(1500),
    eta_allowance_minutes: 5,
  });
  await delivery.api.seedZone(trx, brooklyn, {
    name: '3 to 6 km',
    priority: 1,
    area: { type: 'circle', radius_m: 6000 },
    fee: { type: 'fixed', amount: usd(499) },
    minimum_order: usd(2500),
    eta_allowance_minutes: 5,
  });
  await delivery.api.seedZone(trx, await store(stores.berlin), {
    name: 'Mitte, 4 km',
    area: { type: 'circle', radius_m: 4000 },
    fee: { type: 'fixed', amount: eur(350) },
    minimum_order: eur(2000),
    eta_allowance_minutes: 5,
  });
}
