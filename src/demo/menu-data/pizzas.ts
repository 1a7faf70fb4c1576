// The pizzas: every one in two sizes, with the base, toppings and combo groups.
import type { DemoCategory, DemoItem } from './shapes.js';

const pizzaSizes = (price: number) => [
  { name: 'Small 26 cm', price },
  { name: 'Large 32 cm', price: price + 300 },
];
const pizza = (
  ref: string,
  name: string,
  description: string,
  price: number,
  tags: string[] = [],
  allergens: string[] = ['gluten', 'milk'],
): DemoItem => ({
  ref,
  name,
  description,
  price,
  tags: ['pizza', ...tags],
  allergens,
  sizes: pizzaSizes(price),
  groups: ['base', 'toppings', 'combo-side'],
});

export const PIZZA: DemoCategory = {
  ref: 'pizza',
  name: 'Pizza',
  items: [
    pizza('margherita', 'Margherita', 'Tomato, fior di latte, basil, olive oil.', 850, ['vegetarian']),
    pizza('marinara', 'Marinara', 'Tomato, garlic, oregano, olive oil. No cheese.', 750, ['vegan'], ['gluten']),
    pizza('diavola', 'Diavola', 'Tomato, mozzarella, spicy salami, chili oil.', 1050, ['spicy']),
    pizza('funghi', 'Funghi', 'Tomato, mozzarella, roasted mushrooms, thyme.', 980, ['vegetarian']),
    pizza('quattro-formaggi', 'Quattro formaggi', 'Mozzarella, gorgonzola, fontina, parmesan.', 1150, ['vegetarian']),
    pizza('capricciosa', 'Capricciosa', 'Tomato, mozzarella, ham, mushrooms, artichokes, olives.', 1190),
    pizza('prosciutto-rucola', 'Prosciutto e rucola', 'Tomato, mozzarella, prosciutto crudo, rocket, parmesan.', 1290),
    pizza(
      'ortolana',
      'Ortolana',
      'Tomato, vegan cheese, grilled courgette, peppers, aubergine.',
      1090,
      ['vegan'],
      ['gluten'],
    ),
    pizza('tonno', 'Tonno', 'Tomato, mozzarella, tuna, red onion, capers.', 1090, [], ['gluten', 'milk', 'fish']),
    pizza('calzone', 'Calzone', 'Folded: ricotta, mozzarella, ham, tomato.', 1150),
    pizza('hawaii', 'Hawaii', 'Tomato, mozzarella, ham, pineapple. Yes, really.', 1050),
    pizza('nduja', "'Nduja e miele", "Tomato, mozzarella, spicy 'nduja, hot honey.", 1250, ['spicy']),
  ],
};
