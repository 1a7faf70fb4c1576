// What a reward takes off a basket, as a pure function. "Free Cola" frees one unit of one of its
// items (the dearest unit in the basket, after what promotions already took off that line);
// "5.00 off" comes off the food that promotions left. Nothing ever goes below zero.
import type { RewardEffect } from './model.js';

export interface RewardBasketLine {
  item_id: string;
  quantity: number;
  /** The line before discounts, modifiers included. */
  gross: number;
  /** What promotions already took off this line. */
  discount: number;
}

export interface RewardApplication {
  /** By index of the lines. */
  lineDiscounts: number[];
  orderDiscount: number;
  amount: number;
}

export function applyReward(
  effect: RewardEffect,
  lines: readonly RewardBasketLine[],
  promotionOrderDiscounts: number,
): RewardApplication | null {
  const lineDiscounts = lines.map(() => 0);
  if (effect.type === 'free_item') {
    let best = -1;
    let bestAmount = 0;
    lines.forEach((line, i) => {
      if (!effect.item_ids.includes(line.item_id) || line.quantity <= 0) return;
      const unit = Math.min(Math.floor(line.gross / line.quantity), line.gross - line.discount);
      if (unit > bestAmount) {
        best = i;
        bestAmount = unit;
      }
    });
    if (best < 0) return null;
    lineDiscounts[best] = bestAmount;
    return { lineDiscounts, orderDiscount: 0, amount: bestAmount };
  }
  const food = lines.reduce((sum, line) => sum + line.gross - line.discount, 0) - promotionOrderDiscounts;
  const amount = Math.min(effect.amount, Math.max(0, food));
  if (amount <= 0) return null;
  return { lineDiscounts, orderDiscount: amount, amount };
}
