// Modifier groups as a catalog collection: options keep their ids (and so their store prices and
// 86s) when named by id or ref, and may open one nested group of the brand. A group an option
// opens cannot go; items lose a group that goes.
import { ConflictError } from '../../../platform/http/errors.js';
import type { Collection } from './collection.js';
import { resolveChildren } from './collection.js';
import { requireIds } from './catalog-edit.js';
import type { GroupInput, OptionInput } from './item-schema.js';
import type { CatalogModel, GroupModel, OptionModel } from './model.js';

function applyGroupInput(draft: CatalogModel, group: GroupModel, input: GroupInput): void {
  const { options, ...fields } = input;
  Object.assign(group, Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)));
  if (options !== undefined) {
    // A child that is no group of this brand is a 404 (never reveal another brand's ids); one
    // that would loop or nest too deep is a validation problem, listed with the others.
    const known = new Set([...draft.groups.map((g) => g.id), group.id]);
    requireIds(
      options.map((o) => o.child_group_id),
      known,
      'modifier group',
    );
    group.options = resolveChildren<OptionInput, OptionModel>(options, group.options, 'modifier option').map(
      (o): OptionModel => ({
        id: o.id,
        ref: o.ref,
        name: o.name,
        price: o.price ?? 0,
        max_quantity: o.max_quantity ?? 1,
        is_available: o.is_available ?? true,
        child_group_id: o.child_group_id ?? null,
      }),
    );
  }
}

export const modifierGroups: Collection<GroupModel, GroupInput & { name: string }, GroupInput> = {
  what: 'modifier group',
  table: 'modifier_groups',
  kind: 'modifier_group',
  report: 'modifier_groups',
  rows: (catalog) => catalog.groups,
  build(draft, id, input) {
    const group: GroupModel = {
      id,
      ref: id,
      name: input.name,
      min_select: 0,
      max_select: 1,
      free_quantity: 0,
      version: 1,
      options: [],
    };
    applyGroupInput(draft, group, input);
    return group;
  },
  patch: applyGroupInput,
  release(draft, group) {
    const opener = draft.groups.find((g) => g.id !== group.id && g.options.some((o) => o.child_group_id === group.id));
    if (opener)
      throw new ConflictError(
        'MODIFIER_GROUP_IN_USE',
        `An option of "${opener.name}" opens this group; change that option first.`,
      );
    for (const item of draft.items) item.modifier_group_ids = item.modifier_group_ids.filter((g) => g !== group.id);
  },
};
