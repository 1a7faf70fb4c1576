// The drinks, taxed as drinks: one with two sizes, one for adults only.
import type { DemoCategory } from './shapes.js';

export const DRINKS: DemoCategory = {
  ref: 'drinks',
  name: 'Drinks',
  items: [
    { ref: 'cola', name: 'Cola', description: '0.33 l can.', price: 290, tags: ['vegan'], tax: 'drinks' },
    {
      ref: 'lemonade',
      name: 'Homemade lemonade',
      description: 'Lemon, mint, cane sugar.',
      price: 390,
      tags: ['vegan'],
      tax: 'drinks',
      sizes: [
        { name: '0.3 l', price: 390 },
        { name: '0.5 l', price: 550 },
      ],
    },
    {
      ref: 'water',
      name: 'Sparkling water',
      description: '0.5 l bottle.',
      price: 250,
      tags: ['vegan'],
      tax: 'drinks',
    },
    {
      ref: 'chinotto',
      name: 'Chinotto',
      description: 'Bitter-sweet Italian soda.',
      price: 350,
      tags: ['vegan'],
      tax: 'drinks',
    },
    {
      ref: 'beer',
      name: 'Birra Moretti',
      description: '0.33 l bottle. 18+.',
      price: 450,
      tax: 'drinks',
      allergens: ['gluten'],
    },
    {
      ref: 'red-wine',
      name: 'House red',
      description: 'Montepulciano, glass.',
      price: 590,
      tags: ['vegan'],
      tax: 'drinks',
    },
  ],
};
