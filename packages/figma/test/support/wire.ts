/**
 * Plugin messages as JSON, for the hop between Node and the browser (Playwright passes JSON only):
 * byte arrays travel as base64. Self-contained, so the harness page can embed the same functions.
 */
export function encodeWire(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    let binary = '';
    for (let i = 0; i < value.length; i += 0x8000)
      binary += String.fromCharCode(...value.subarray(i, i + 0x8000));
    return { $bytes: btoa(binary) };
  }
  if (Array.isArray(value)) return value.map(encodeWire);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, encodeWire(item)]));
  return value;
}

/** Reverses {@link encodeWire}. */
export function decodeWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeWire);
  if (value !== null && typeof value === 'object') {
    if ('$bytes' in value && typeof value.$bytes === 'string')
      return Uint8Array.from(atob(value.$bytes), (char) => char.charCodeAt(0));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, decodeWire(item)]));
  }
  return value;
}
