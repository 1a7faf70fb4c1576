// Checking a basket against the menu a store serves at the fulfilment time: every item and
// option must be orderable then (on the menu, not 86'd), every modifier group's rules kept, and
// the store's quantity limits respected. Pure: the resolved menu comes in, pricing lines and the
// full list of problems come out (a client fixes everything in one round trip).
import type { ResolvedGroup, ResolvedItem, ResolvedMenu } from '../catalog/index.js';
import type { PricingLine, PricingModifier } from './pricing.js';
import type { BasketProblem, LineInput, ModifierPickInput } from './basket-schema.js';

export interface CheckedBasket {
  /** Lines that could be priced (a line with a problem is left out). */
  lines: PricingLine[];
  /** Which option opened the group of each nested pick, by `${line_no}:${group_id}:${option_id}`. */
  parents: Map<string, string>;
  problems: BasketProblem[];
  /** Items (not modifiers) in the basket: what kitchen capacity counts. */
  itemCount: number;
  /** Units per item id, for stock. */
  units: Map<string, number>;
}

export interface BasketLimits {
  maxLineQuantity: number;
  maxOrderItems: number;
}

function indexItems(menu: ResolvedMenu): Map<string, ResolvedItem> {
  const items = new Map<string, ResolvedItem>();
  for (const section of menu.menus)
    for (const category of section.categories)
      for (const item of category.items) if (!items.has(item.id)) items.set(item.id, item);
  return items;
}

/** Checks one group's picks: which options, how many of each, and the group's min/max. */
function checkGroup(group: ResolvedGroup, picks: ModifierPickInput[], path: string, problems: BasketProblem[]): void {
  const units = picks.reduce((sum, pick) => sum + (pick.quantity ?? 1), 0);
  if (units < group.min_select || units > group.max_select) {
    const rule =
      group.min_select === group.max_select
        ? `exactly ${group.min_select}`
        : `${group.min_select} to ${group.max_select}`;
    problems.push({
      code: 'MODIFIER_RULES_BROKEN',
      path,
      message: `“${group.name}” needs ${rule} pick(s); got ${units}.`,
    });
  }
}

export function checkBasket(menu: ResolvedMenu, lines: LineInput[], limits: BasketLimits): CheckedBasket {
  const items = indexItems(menu);
  const problems: BasketProblem[] = [];
  const priced: PricingLine[] = [];
  const parents = new Map<string, string>();
  const units = new Map<string, number>();
  let itemCount = 0;

  lines.forEach((line, lineNo) => {
    const path = `/lines/${lineNo}`;
    itemCount += line.quantity;
    const before = problems.length;
    if (line.quantity > limits.maxLineQuantity) {
      problems.push({
        code: 'QUANTITY_LIMIT_EXCEEDED',
        path: `${path}/quantity`,
        message: `At most ${limits.maxLineQuantity} of one item per line.`,
      });
    }
    const item = items.get(line.item_id);
    if (!item) {
      problems.push({
        code: 'ITEM_UNAVAILABLE',
        path: `${path}/item_id`,
        message: 'This item is not available at this store, channel and time (or is sold out).',
      });
      return;
    }
    let unitPrice = item.price.amount;
    let name = item.name;
    if (item.variants.length > 0) {
      const variant = item.variants.find((candidate) => candidate.id === line.variant_id);
      if (line.variant_id === undefined)
        problems.push({
          code: 'VARIANT_REQUIRED',
          path: `${path}/variant_id`,
          message: `Choose a size of “${item.name}”.`,
        });
      else if (!variant)
        problems.push({
          code: 'VARIANT_UNAVAILABLE',
          path: `${path}/variant_id`,
          message: `No such size of “${item.name}”.`,
        });
      else {
        unitPrice = variant.price.amount;
        name = `${item.name} (${variant.name})`;
      }
    } else if (line.variant_id !== undefined) {
      problems.push({
        code: 'VARIANT_UNAVAILABLE',
        path: `${path}/variant_id`,
        message: `“${item.name}” has no sizes.`,
      });
    }

    const modifiers: PricingModifier[] = [];
    const freeQuantities: Record<string, number> = {};
    const picks = line.modifiers ?? [];
    const picksByGroup = new Map<string, ModifierPickInput[]>();
    picks.forEach((pick, pickNo) => {
      const pickPath = `${path}/modifiers/${pickNo}`;
      const group = item.modifier_groups.find((candidate) =>
        candidate.options.some((option) => option.id === pick.option_id),
      );
      const option = group?.options.find((candidate) => candidate.id === pick.option_id);
      if (!group || !option) {
        problems.push({
          code: 'OPTION_UNAVAILABLE',
          path: `${pickPath}/option_id`,
          message: `This option is not available for “${item.name}” now.`,
        });
        return;
      }
      const quantity = pick.quantity ?? 1;
      if (quantity > option.max_quantity) {
        problems.push({
          code: 'MODIFIER_RULES_BROKEN',
          path: `${pickPath}/quantity`,
          message: `At most ${option.max_quantity} of “${option.name}”.`,
        });
      }
      picksByGroup.set(group.id, [...(picksByGroup.get(group.id) ?? []), pick]);
      freeQuantities[group.id] = group.free_quantity;
      modifiers.push({
        option_id: option.id,
        group_id: group.id,
        name: option.name,
        unit_price: option.price.amount,
        quantity,
      });

      const child = option.child_group;
      const childPicks = pick.modifiers ?? [];
      if (!child) {
        if (childPicks.length > 0)
          problems.push({
            code: 'OPTION_UNAVAILABLE',
            path: `${pickPath}/modifiers`,
            message: `“${option.name}” has no choices of its own.`,
          });
        return;
      }
      childPicks.forEach((childPick, childNo) => {
        const childOption = child.options.find((candidate) => candidate.id === childPick.option_id);
        const childPath = `${pickPath}/modifiers/${childNo}`;
        if (!childOption) {
          problems.push({
            code: 'OPTION_UNAVAILABLE',
            path: `${childPath}/option_id`,
            message: `This choice is not available for “${option.name}” now.`,
          });
          return;
        }
        const childQuantity = childPick.quantity ?? 1;
        if (childQuantity > childOption.max_quantity) {
          problems.push({
            code: 'MODIFIER_RULES_BROKEN',
            path: `${childPath}/quantity`,
            message: `At most ${childOption.max_quantity} of “${childOption.name}”.`,
          });
        }
        freeQuantities[child.id] = child.free_quantity;
        parents.set(`${lineNo}:${child.id}:${childOption.id}`, option.id);
        modifiers.push({
          option_id: childOption.id,
          group_id: child.id,
          name: childOption.name,
          unit_price: childOption.price.amount,
          quantity: childQuantity * quantity,
        });
      });
      checkGroup(child, childPicks, `${pickPath}/modifiers`, problems);
    });
    for (const group of item.modifier_groups)
      checkGroup(group, picksByGroup.get(group.id) ?? [], `${path}/modifiers`, problems);

    if (problems.length > before) return;
    units.set(item.id, (units.get(item.id) ?? 0) + line.quantity);
    priced.push({
      line_no: lineNo,
      item_id: item.id,
      variant_id: line.variant_id ?? null,
      name,
      quantity: line.quantity,
      unit_price: unitPrice,
      tax_rate_bps: item.tax.rate_bps,
      modifiers,
      free_quantities: freeQuantities,
    });
  });

  if (itemCount > limits.maxOrderItems) {
    problems.push({
      code: 'QUANTITY_LIMIT_EXCEEDED',
      path: '/lines',
      message: `At most ${limits.maxOrderItems} items per order.`,
    });
  }
  return { lines: priced, parents, problems, itemCount, units };
}
