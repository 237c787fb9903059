/**
 * Origins a Figma plugin UI sends. Plugin iframes are sandboxed, so their origin is opaque and browsers
 * send it as the literal `null`; `https://www.figma.com` covers UIs Figma serves from its own origin.
 * Any other page is refused. `null` is also what every sandboxed iframe sends, so the origin check only
 * keeps ordinary web pages out: the pairing token is the guard.
 */
export const FIGMA_ORIGINS: readonly string[] = ['null', 'https://www.figma.com'];
