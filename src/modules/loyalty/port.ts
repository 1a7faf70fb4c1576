// Loyalty as ordering's rewards port: evaluate reads the reward, the program and the member's
// spendable points and works out what the reward takes off; the holds run in ordering's
// transactions (holds.ts).
import type { Db } from '../../platform/db/index.js';
import type { RewardOutcome, RewardQuery, RewardsPort } from '../ordering/index.js';
import { holdReward, releaseReward, spendableNow, spendReward } from './holds.js';
import { loyaltyRepo } from './repo.js';
import { applyReward } from './rewards.js';

export function createRewardsPort(deps: { db: Db; clock: () => Date }): RewardsPort {
  return {
    async evaluate(query: RewardQuery, ex: Db = deps.db): Promise<RewardOutcome> {
      const none = query.lines.map(() => 0);
      const refuse = (code: string, message: string): RewardOutcome => ({
        reward: null,
        problems: [{ code, path: '/reward_id', message }],
        lineDiscounts: none,
        orderDiscount: 0,
      });
      const reward = await loyaltyRepo.findReward(ex, query.rewardId);
      const program = reward ? await loyaltyRepo.findProgram(ex, query.organizationId) : null;
      if (!reward || reward.organization_id !== query.organizationId || !reward.active || !program?.active)
        return refuse('REWARD_NOT_FOUND', `This brand has no reward with the id ${query.rewardId}.`);
      if (query.customer.id === null)
        return refuse(
          'LOYALTY_NOT_MEMBER',
          query.customer.anonymous
            ? `Sign in as a member of ${program.name} to use a reward.`
            : 'Rewards are for members; this order is not placed by one.',
        );
      const member = await loyaltyRepo.findMember(ex, query.organizationId, query.customer.id);
      if (!member || member.status !== 'active')
        return refuse('LOYALTY_NOT_MEMBER', `Join ${program.name} to use its rewards.`);
      const available = await spendableNow(ex, member, deps.clock());
      if (available < reward.points)
        return refuse(
          'INSUFFICIENT_POINTS',
          `${reward.name} needs ${reward.points} points; ${Math.max(0, available)} are available.`,
        );
      const applied = applyReward(reward.effect, query.lines, query.promotionOrderDiscounts);
      if (!applied)
        return refuse(
          'REWARD_NOT_APPLICABLE',
          reward.effect.type === 'free_item'
            ? `${reward.name} is for an item that is not in the basket.`
            : `${reward.name} needs food in the basket to come off.`,
        );
      return {
        reward: { reward_id: reward.id, name: reward.name, points: reward.points, amount: applied.amount },
        problems: [],
        lineDiscounts: applied.lineDiscounts,
        orderDiscount: applied.orderDiscount,
      };
    },
    async tierOf(organizationId, customerId) {
      const member = await loyaltyRepo.findMember(deps.db, organizationId, customerId);
      return member?.status === 'active' ? member.tier : null;
    },
    hold: (trx, input) => holdReward(trx, { ...input, at: deps.clock() }),
    spend: (trx, orderId) => spendReward(trx, orderId, deps.clock()),
    release: (trx, orderId, reason) => releaseReward(trx, orderId, reason, deps.clock()),
  };
}
