// The breakfast category, served by the breakfast menu only (08:00–11:30).
import type { DemoCategory } from './shapes.js';

export const BREAKFAST: DemoCategory = {
  ref: 'breakfast',
  name: 'Breakfast',
  items: [
    {
      ref: 'cornetto',
      name: 'Cornetto',
      description: 'Butter croissant, apricot or plain.',
      price: 250,
      tags: ['vegetarian'],
      allergens: ['gluten', 'milk', 'egg'],
    },
    {
      ref: 'cappuccino',
      name: 'Cappuccino',
      description: 'Double shot, steamed milk.',
      price: 320,
      tags: ['vegetarian'],
      tax: 'drinks',
      groups: ['milk'],
    },
    {
      ref: 'espresso',
      name: 'Espresso',
      description: 'Single origin, short.',
      price: 220,
      tags: ['vegan'],
      tax: 'drinks',
    },
    {
      ref: 'frittata',
      name: 'Frittata',
      description: 'Egg, potato, spinach, parmesan.',
      price: 690,
      tags: ['vegetarian', 'gluten_free'],
      allergens: ['egg', 'milk'],
    },
    {
      ref: 'yogurt-bowl',
      name: 'Yogurt bowl',
      description: 'Greek yogurt, granola, berries, honey.',
      price: 590,
      tags: ['vegetarian'],
      allergens: ['milk', 'gluten', 'nuts'],
    },
  ],
};
