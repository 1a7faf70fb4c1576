// The rest of the all-day kitchen: starters (most take dips), salads, pasta and desserts.
import type { DemoCategory } from './shapes.js';

export const STARTERS: DemoCategory = {
  ref: 'starters',
  name: 'Starters',
  items: [
    {
      ref: 'garlic-bread',
      name: 'Garlic bread',
      description: 'Stone-baked, garlic butter, parsley.',
      price: 450,
      tags: ['vegetarian'],
      allergens: ['gluten', 'milk'],
      groups: ['dips'],
    },
    {
      ref: 'bruschetta',
      name: 'Bruschetta',
      description: 'Tomato, basil, garlic on toasted sourdough.',
      price: 550,
      tags: ['vegan'],
      allergens: ['gluten'],
    },
    {
      ref: 'arancini',
      name: 'Arancini',
      description: 'Three fried risotto balls, mozzarella heart.',
      price: 650,
      tags: ['vegetarian'],
      allergens: ['gluten', 'milk', 'egg'],
      groups: ['dips'],
    },
    {
      ref: 'wings',
      name: 'Chicken wings',
      description: 'Eight wings, smoked paprika.',
      price: 790,
      tags: ['spicy'],
      groups: ['dips'],
    },
    {
      ref: 'burrata',
      name: 'Burrata',
      description: 'Burrata, heirloom tomatoes, pesto.',
      price: 890,
      tags: ['vegetarian'],
      allergens: ['milk', 'nuts'],
    },
    {
      ref: 'olives',
      name: 'Marinated olives',
      description: 'Green and black olives, orange zest.',
      price: 350,
      tags: ['vegan'],
    },
    {
      ref: 'fries',
      name: 'Rosemary fries',
      description: 'Skin-on fries, rosemary salt.',
      price: 390,
      tags: ['vegan'],
      groups: ['dips'],
    },
  ],
};

export const SALADS: DemoCategory = {
  ref: 'salads',
  name: 'Salads',
  items: [
    {
      ref: 'caprese',
      name: 'Caprese',
      description: 'Tomato, mozzarella, basil.',
      price: 790,
      tags: ['vegetarian'],
      allergens: ['milk'],
    },
    {
      ref: 'caesar',
      name: 'Caesar salad',
      description: 'Romaine, parmesan, croutons, anchovy dressing.',
      price: 890,
      allergens: ['gluten', 'milk', 'fish', 'egg'],
    },
    {
      ref: 'rocket-pear',
      name: 'Rocket and pear',
      description: 'Rocket, pear, walnuts, pecorino.',
      price: 850,
      tags: ['vegetarian'],
      allergens: ['milk', 'nuts'],
    },
    {
      ref: 'green-bowl',
      name: 'Green bowl',
      description: 'Spinach, quinoa, avocado, seeds, lemon.',
      price: 950,
      tags: ['vegan', 'gluten_free'],
    },
  ],
};

export const PASTA: DemoCategory = {
  ref: 'pasta',
  name: 'Pasta',
  items: [
    {
      ref: 'carbonara',
      name: 'Spaghetti carbonara',
      description: 'Guanciale, egg yolk, pecorino, pepper.',
      price: 1190,
      allergens: ['gluten', 'egg', 'milk'],
    },
    {
      ref: 'arrabbiata',
      name: 'Penne arrabbiata',
      description: 'Tomato, garlic, chili.',
      price: 990,
      tags: ['vegan', 'spicy'],
      allergens: ['gluten'],
    },
    {
      ref: 'pesto',
      name: 'Trofie al pesto',
      description: 'Basil pesto, green beans, potato.',
      price: 1090,
      tags: ['vegetarian'],
      allergens: ['gluten', 'milk', 'nuts'],
    },
    {
      ref: 'lasagna',
      name: 'Lasagna',
      description: 'Beef ragù, béchamel, parmesan.',
      price: 1290,
      allergens: ['gluten', 'milk', 'egg'],
    },
    {
      ref: 'gnocchi',
      name: 'Gnocchi sorrentina',
      description: 'Potato gnocchi, tomato, mozzarella, baked.',
      price: 1150,
      tags: ['vegetarian'],
      allergens: ['gluten', 'milk'],
    },
  ],
};

export const DESSERTS: DemoCategory = {
  ref: 'desserts',
  name: 'Desserts',
  items: [
    {
      ref: 'tiramisu',
      name: 'Tiramisù',
      description: 'Mascarpone, espresso, savoiardi, cocoa.',
      price: 650,
      tags: ['vegetarian'],
      allergens: ['gluten', 'milk', 'egg'],
    },
    {
      ref: 'panna-cotta',
      name: 'Panna cotta',
      description: 'Vanilla, berry compote.',
      price: 590,
      tags: ['vegetarian', 'gluten_free'],
      allergens: ['milk'],
    },
    {
      ref: 'cannoli',
      name: 'Cannoli',
      description: 'Two cannoli, ricotta, pistachio.',
      price: 620,
      tags: ['vegetarian'],
      allergens: ['gluten', 'milk', 'nuts'],
    },
    {
      ref: 'gelato',
      name: 'Gelato',
      description: 'Two scoops: ask for today’s flavours.',
      price: 490,
      tags: ['vegetarian'],
      allergens: ['milk'],
    },
    {
      ref: 'nutella-pizza',
      name: 'Nutella pizzetta',
      description: 'Small dough, hazelnut cream, icing sugar.',
      price: 690,
      tags: ['vegetarian'],
      allergens: ['gluten', 'milk', 'nuts'],
    },
  ],
};
