// The shape of the demo catalog's plain data: compact on purpose (sizes, group refs, a tax code),
// turned into an import document by ../menu.ts.

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

export interface DemoCategory {
  ref: string;
  name: string;
  items: DemoItem[];
}
