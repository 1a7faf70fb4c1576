// The demo's modifier groups: a required base, optional paid toppings, dips free up to two, a
// combo that opens a nested drink choice, and the milk of a cappuccino.
import type { DemoGroup } from './shapes.js';

export const DEMO_GROUPS: DemoGroup[] = [
  {
    ref: 'base',
    name: 'Choose a base',
    min: 1,
    max: 1,
    options: [
      { ref: 'base-classic', name: 'Classic', price: 0 },
      { ref: 'base-wholegrain', name: 'Wholegrain', price: 100 },
      { ref: 'base-gluten-free', name: 'Gluten-free', price: 250 },
    ],
  },
  {
    ref: 'toppings',
    name: 'Extra toppings',
    min: 0,
    max: 5,
    options: [
      { ref: 'top-mozzarella', name: 'Extra mozzarella', price: 150, max: 2 },
      { ref: 'top-mushrooms', name: 'Mushrooms', price: 120 },
      { ref: 'top-olives', name: 'Olives', price: 120 },
      { ref: 'top-jalapenos', name: 'Jalapeños', price: 100 },
      { ref: 'top-salami', name: 'Spicy salami', price: 180 },
      { ref: 'top-rocket', name: 'Rocket', price: 90 },
    ],
  },
  {
    ref: 'dips',
    name: 'Dips',
    min: 0,
    max: 6,
    free: 2,
    options: [
      { ref: 'dip-garlic', name: 'Garlic mayo', price: 60, max: 3 },
      { ref: 'dip-chili', name: 'Sweet chili', price: 60, max: 3 },
      { ref: 'dip-bbq', name: 'BBQ', price: 60, max: 3 },
    ],
  },
  {
    ref: 'drink-choice',
    name: 'Choose a drink',
    min: 1,
    max: 1,
    options: [
      { ref: 'drink-cola', name: 'Cola 0.33 l', price: 0 },
      { ref: 'drink-lemonade', name: 'Lemonade 0.33 l', price: 0 },
      { ref: 'drink-water', name: 'Sparkling water 0.5 l', price: 0 },
    ],
  },
  {
    ref: 'combo-side',
    name: 'Make it a combo',
    min: 0,
    max: 1,
    // Picking the combo opens the drink choice: a nested modifier.
    options: [{ ref: 'combo-yes', name: 'Combo: side salad and a drink', price: 450, opens: 'drink-choice' }],
  },
  {
    ref: 'milk',
    name: 'Milk',
    min: 1,
    max: 1,
    options: [
      { ref: 'milk-whole', name: 'Whole milk', price: 0 },
      { ref: 'milk-oat', name: 'Oat milk', price: 50 },
    ],
  },
];
