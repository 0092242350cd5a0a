/** Words too common to say anything about a goal. */
const STOP_WORDS = new Set(
  (
    'a about after all also am an and any are as at be been before being but by can do does for from ' +
    'has have having he her here his how i if in into is it its itself just me more my no not now of ' +
    'on once only or other our out over own same she should so some such than that the their them ' +
    'then there these they this those through to too under until up very was we were what when where ' +
    'which while who whom why will with would you your'
  ).split(' '),
);

/** A crude suffix stripper, so that "matching" meets "match" and "invoices" meets "invoice". */
function stem(word: string): string {
  for (const suffix of ['ing', 'ed', 'es', 's', 'e']) {
    if (!word.endsWith(suffix) || word.length - suffix.length < 3) continue;
    // "address", "status": a final "s" after "s" or "u" is part of the word.
    if (suffix === 's' && /[su]s$/.test(word)) continue;
    return word.slice(0, -suffix.length);
  }
  return word;
}

/** The content words of a text: lower-cased, split on anything but letters and digits, stop words out, stemmed. */
function contentWords(text: string): Set<string> {
  const words = new Set<string>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (word.length > 1 && !STOP_WORDS.has(word)) words.add(stem(word));
  }
  return words;
}

/**
 * The default similarity of the context-poisoning detector: the Jaccard index of the two texts'
 * content-word sets, `|A ∩ B| / |A ∪ B|`, in [0, 1]. Words are lower-cased, split on anything but
 * letters and digits, stripped of a small English stop-word list and of a few suffixes (-ing, -ed,
 * -es, -s, -e). Two texts without content words score 1; one without, 0.
 *
 * Lexical, so it misses paraphrase ("reconcile bills" vs "match invoices" scores 0) and it is
 * English-only in its stop words and suffixes. Pass your own `(a, b) => number` (e.g. cosine over
 * embeddings) to the detector for anything better.
 *
 * @example
 * lexicalSimilarity(
 *   'Match inbound invoices to CRM accounts and update billing status',
 *   'I am matching inbound invoices to CRM accounts and updating their billing status',
 * ); // 1
 */
export function lexicalSimilarity(a: string, b: string): number {
  const left = contentWords(a);
  const right = contentWords(b);
  if (left.size === 0 && right.size === 0) return 1;
  let shared = 0;
  for (const word of left) if (right.has(word)) shared++;
  return shared / (left.size + right.size - shared);
}
