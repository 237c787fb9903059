/** How an installed model file can be checked, given what the catalog or its manifest knows about it. */
import type { CatalogEntry } from './model-catalog.js';

/** How an installed file was checked: against the catalog's hash, its size, or only by reading it as a SwinIR checkpoint. */
export type VerifyMethod = 'sha256' | 'size' | 'checkpoint';

/** The strongest check the known hash and size allow. */
export function verifyMethodFor(sha256: string | null, size: number | null): VerifyMethod {
  if (sha256 !== null) return 'sha256';
  return size !== null ? 'size' : 'checkpoint';
}

/** The warning for a catalog model without a SHA-256, saying what it is checked by instead. */
export function unverifiableWarning(entry: CatalogEntry, method: VerifyMethod): string {
  const size = method === 'size' ? `its size (${entry.size} bytes) and by ` : '';
  return `the catalog has no SHA-256 for model "${entry.id}": it is checked only by ${size}reading it as a SwinIR checkpoint`;
}
