// Menu search over a resolved menu, in memory: the index is built once per cached snapshot, so
// what search finds is by construction what the menu offers (same availability, same prices).
//
// The rule: every query word must match the item — as the start of a word of its name, tags,
// description or category name ("marg" finds Margherita), or, for words of 3 letters or more,
// as a typo of its name (pg_trgm word similarity ≥ 0.45: "margarita" finds "Margherita").
// Rank: how well the words match (name 1, a typo of the name its similarity, tags 0.4,
// description 0.2, category 0.1: the old full-text weights), plus the similarity of the whole query to the name, plus 1 for an exact name, plus 0.1 when
// the category matches; best first, then by name.
import { itemsOf, type Money, type ResolvedMenu } from './resolved-menu.js';
import { trigramsOf, wordSimilarity, wordsOf } from './trigram-similarity.js';

/** Typo tolerance: a query word this close (pg_trgm word_similarity) to the item's name matches. */
export const WORD_SIMILARITY = 0.45;
/** Words shorter than this match by prefix only (a typo in two letters is another word). */
const TYPO_MIN_LENGTH = 3;
const MAX_TERMS = 8;
/** Weights of a word match by field (PostgreSQL's ts_rank weights for A, B, C). */
const NAME_WEIGHT = 1;
const TAG_WEIGHT = 0.4;
const DESCRIPTION_WEIGHT = 0.2;
const CATEGORY_BONUS = 0.1;
const EXACT_NAME_BONUS = 1;

/** The query's words: letters and digits only, lowercased, at most 8. */
export function searchTerms(q: string): string[] {
  return wordsOf(q).slice(0, MAX_TERMS);
}

/** One search hit, its fields in the response's order. */
export interface SearchHit {
  id: string;
  name: string;
  description: string | null;
  tags: string[];
  category: { id: string; name: string };
  price: Money;
  score: number;
}

interface Entry {
  hit: Omit<SearchHit, 'score'>;
  lowerName: string;
  nameTrigrams: string[];
  nameWords: string[];
  tagWords: string[];
  descriptionWords: string[];
  categoryWords: string[];
}

const startsAny = (words: readonly string[], term: string) => words.some((word) => word.startsWith(term));

/** How strongly a term matches an entry (its best field); 0: it does not. */
function termWeight(entry: Entry, term: string): number {
  if (startsAny(entry.nameWords, term)) return NAME_WEIGHT;
  // A typo of the name counts as much as it is close.
  const typo = [...term].length >= TYPO_MIN_LENGTH ? wordSimilarity(term, entry.nameTrigrams) : 0;
  if (typo >= WORD_SIMILARITY) return typo;
  if (startsAny(entry.tagWords, term)) return TAG_WEIGHT;
  if (startsAny(entry.descriptionWords, term)) return DESCRIPTION_WEIGHT;
  if (startsAny(entry.categoryWords, term)) return CATEGORY_BONUS;
  return 0;
}

export interface SearchIndex {
  search(terms: string[], limit: number): SearchHit[];
}

export function buildSearchIndex(menu: ResolvedMenu): SearchIndex {
  const entries: Entry[] = [];
  for (const { item, category } of itemsOf(menu)) {
    const sizes = item.variants.map((variant) => variant.price.amount);
    entries.push({
      hit: {
        id: item.id,
        name: item.name,
        description: item.description,
        tags: item.tags,
        category: { id: category.id, name: category.name },
        // The cheapest size when the item has sizes (what "from …" shows).
        price: { amount: sizes.length > 0 ? Math.min(...sizes) : item.price.amount, currency: item.price.currency },
      },
      lowerName: item.name.toLowerCase(),
      nameTrigrams: trigramsOf(item.name),
      nameWords: wordsOf(item.name),
      tagWords: item.tags.flatMap(wordsOf),
      descriptionWords: wordsOf(item.description ?? ''),
      categoryWords: wordsOf(category.name),
    });
  }

  return {
    search(terms, limit) {
      if (terms.length === 0) return [];
      const phrase = terms.join(' ');
      const scored: SearchHit[] = [];
      for (const entry of entries) {
        let weights = 0;
        let everyTerm = true;
        for (const term of terms) {
          const weight = termWeight(entry, term);
          if (weight === 0) {
            everyTerm = false;
            break;
          }
          weights += weight;
        }
        if (!everyTerm) continue;
        const score =
          weights / terms.length +
          wordSimilarity(phrase, entry.nameTrigrams) +
          (entry.lowerName === phrase ? EXACT_NAME_BONUS : 0) +
          (terms.some((term) => startsAny(entry.categoryWords, term)) ? CATEGORY_BONUS : 0);
        scored.push({ ...entry.hit, score: Math.round(score * 10_000) / 10_000 });
      }
      scored.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
      return scored.slice(0, limit);
    },
  };
}
