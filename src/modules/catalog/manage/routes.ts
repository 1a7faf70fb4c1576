// HTTP surface of catalog management: schemas in, one service call, schema out. Registered in
// this order (it is the order of the OpenAPI document): the whole catalog, tax categories, the
// versioned collections, then the store-scoped settings.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { collectionRoutes } from './collection-routes.js';
import {
  CreateItemBody,
  CreateModifierGroupBody,
  Item,
  ItemListQuery,
  ItemPage,
  ModifierGroup,
  ModifierGroupPage,
  UpdateItemBody,
  UpdateModifierGroupBody,
} from './item-schema.js';
import {
  Category,
  CategoryPage,
  CreateCategoryBody,
  CreateMenuBody,
  Menu,
  MenuPage,
  UpdateCategoryBody,
  UpdateMenuBody,
} from './menu-schema.js';
import { ListQuery } from './schema-fields.js';
import type { ManagementService } from './service.js';
import { storeRoutes } from './store-routes.js';
import { taxCategoryRoutes } from './tax-category-routes.js';
import { wholeCatalogRoutes } from './whole-catalog-routes.js';

export function managementRoutes(service: ManagementService): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onSend', async (_request, reply) => {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
    });

    wholeCatalogRoutes(app, service);
    taxCategoryRoutes(app, service.taxCategories);

    collectionRoutes(
      app,
      {
        path: 'categories',
        name: 'category',
        plural: 'categories',
        schema: Category,
        page: CategoryPage,
        create: CreateCategoryBody,
        update: UpdateCategoryBody,
        listQuery: ListQuery,
      },
      service.categories,
      {
        create: 'Add a category',
        update: 'Change a category',
        remove: 'Delete an empty category (409 CATEGORY_NOT_EMPTY otherwise); menus stop listing it',
      },
    );
    collectionRoutes(
      app,
      {
        path: 'items',
        name: 'item',
        plural: 'items',
        schema: Item,
        page: ItemPage,
        create: CreateItemBody,
        update: UpdateItemBody,
        listQuery: ItemListQuery,
      },
      service.items,
      {
        create: 'Add an item, with its variants and attached modifier groups',
        update: 'Change an item, its variants or attached modifier groups',
        remove: 'Delete an item (its store prices and 86s go with it)',
      },
    );
    collectionRoutes(
      app,
      {
        path: 'modifier-groups',
        name: 'modifier group',
        plural: 'modifier groups',
        schema: ModifierGroup,
        page: ModifierGroupPage,
        create: CreateModifierGroupBody,
        update: UpdateModifierGroupBody,
        listQuery: ListQuery,
      },
      service.modifierGroups,
      {
        create: 'Add a modifier group with its options (an option may open one nested group)',
        update: 'Change a modifier group or its options',
        remove: 'Delete a modifier group no option opens (409 MODIFIER_GROUP_IN_USE otherwise); items lose it',
      },
    );
    collectionRoutes(
      app,
      {
        path: 'menus',
        name: 'menu',
        plural: 'menus',
        schema: Menu,
        page: MenuPage,
        create: CreateMenuBody,
        update: UpdateMenuBody,
        listQuery: ListQuery,
      },
      service.menus,
      {
        create: 'Add a menu with its weekly hours (store-local) and categories',
        update: 'Change a menu, its hours or categories',
        remove: 'Delete a menu (stores stop publishing it)',
      },
    );

    storeRoutes(app, service);
  };
}
