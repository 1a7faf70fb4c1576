// The demo pizzeria's catalog as plain data: what a real small chain sells, so a new user sees
// sizes, required and optional modifier groups, a free-then-paid group, a nested combo choice,
// three menus (breakfast, all day, around the clock) and a delivery price override. Prices in minor units.

export interface DemoItem {
  ref: string;
  name: string;
  description: string;
  price: number;
  tags?: string[];
  allergens?: string[];
  /** Sizes, each with its own price. */
  sizes?: Array<{ name: string; price: number }>;
  groups?: string[];
  tax?: 'food' | 'drinks';
}

export interface DemoGroup {
  ref: string;
  name: string;
  min: number;
  max: number;
  free?: number;
  options: Array<{ ref: string; name: string; price: number; max?: number; opens?: string }>;
}

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

export const DEMO_CATEGORIES: Array<{ ref: string; name: string; items: DemoItem[] }> = [
  {
    ref: 'pizza',
    name: 'Pizza',
    items: [
      pizza('margherita', 'Margherita', 'Tomato, fior di latte, basil, olive oil.', 850, ['vegetarian']),
      pizza('marinara', 'Marinara', 'Tomato, garlic, oregano, olive oil. No cheese.', 750, ['vegan'], ['gluten']),
      pizza('diavola', 'Diavola', 'Tomato, mozzarella, spicy salami, chili oil.', 1050, ['spicy']),
      pizza('funghi', 'Funghi', 'Tomato, mozzarella, roasted mushrooms, thyme.', 980, ['vegetarian']),
      pizza('quattro-formaggi', 'Quattro formaggi', 'Mozzarella, gorgonzola, fontina, parmesan.', 1150, ['vegetarian']),
      pizza('capricciosa', 'Capricciosa', 'Tomato, mozzarella, ham, mushrooms, artichokes, olives.', 1190),
      pizza(
        'prosciutto-rucola',
        'Prosciutto e rucola',
        'Tomato, mozzarella, prosciutto crudo, rocket, parmesan.',
        1290,
      ),
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
];

/** All day from 11:00 (running past midnight to 02:00, after the latest close); breakfast 08:00–11:30. Local store time. */
export const DEMO_MENUS = [
  {
    ref: 'all-day',
    name: 'All day',
    categories: ['pizza', 'starters', 'salads', 'pasta', 'desserts', 'drinks'],
    hours: { opens: '11:00', closes: '02:00' },
  },
  { ref: 'breakfast', name: 'Breakfast', categories: ['breakfast'], hours: { opens: '08:00', closes: '11:30' } },
  // The Brooklyn store never closes: everything but breakfast, whatever the hour.
  {
    ref: 'around-the-clock',
    name: 'Around the clock',
    categories: ['pizza', 'starters', 'salads', 'pasta', 'desserts', 'drinks'],
    hours: null,
  },
];

/** Delivered, the Margherita costs more (both sizes): a per-store, per-channel override. */
export const DEMO_DELIVERY_OVERRIDES = [
  { variantRef: 'margherita/margherita-1', price: 950 },
  { variantRef: 'margherita/margherita-2', price: 1290 },
];
